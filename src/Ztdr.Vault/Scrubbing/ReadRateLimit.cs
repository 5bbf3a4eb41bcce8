namespace Ztdr.Vault.Scrubbing;

/// <summary>
/// Paces reads to an average rate: after each read it waits until the bytes read so far are due at that rate.
/// Time not spent reading (metadata queries, a slow disk) builds up credit for at most <see cref="MaxBurst"/>, so the
/// scrub never catches up with a long burst at full speed.
/// </summary>
internal sealed class ReadRateLimit
{
    private static readonly TimeSpan MaxBurst = TimeSpan.FromSeconds(1);
    private readonly long? _bytesPerSecond;
    private readonly TimeProvider _time;
    private long _start;
    private long _bytes;

    public ReadRateLimit(long? bytesPerSecond, TimeProvider time)
    {
        if (bytesPerSecond is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bytesPerSecond), bytesPerSecond, "the scrub rate must be positive");
        }

        _bytesPerSecond = bytesPerSecond;
        _time = time;
        _start = time.GetTimestamp();
    }

    public async ValueTask ConsumeAsync(int bytes, CancellationToken cancellationToken)
    {
        if (_bytesPerSecond is not { } rate)
        {
            return;
        }

        _bytes += bytes;
        var due = TimeSpan.FromSeconds((double)_bytes / rate);
        var elapsed = _time.GetElapsedTime(_start);
        if (elapsed - due > MaxBurst)
        {
            // Forget the idle time beyond one burst: move the start so that we are exactly MaxBurst ahead.
            _start += (long)((elapsed - due - MaxBurst).TotalSeconds * _time.TimestampFrequency);
            return;
        }

        if (due > elapsed)
        {
            await Task.Delay(due - elapsed, _time, cancellationToken);
        }
    }
}
