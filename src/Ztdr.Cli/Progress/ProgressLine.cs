namespace Ztdr.Cli.Progress;

/// <summary>
/// One progress line on stderr, at most once per <see cref="Interval"/>: rewritten in place on a terminal, plain
/// <c>progress: …</c> lines otherwise (logs, pipes). Thread-safe: engines report from several workers at once, so the
/// check and the write are under one lock. After <see cref="Finish"/> nothing more is printed.
/// </summary>
internal sealed class ProgressLine(CliContext context)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly long _started = context.Time.GetTimestamp();
    private DateTimeOffset _next = context.Time.GetUtcNow() + Interval;
    private bool _rewriting;

    /// <summary>Time since this line was created, which is when the command's work started: for rates and ETAs.</summary>
    public TimeSpan Elapsed => context.Time.GetElapsedTime(_started);

    /// <summary>Prints the line <paramref name="format"/> makes, unless a line was printed less than an interval ago.</summary>
    public void Show(Func<string> format)
    {
        lock (_lock)
        {
            var now = context.Time.GetUtcNow();
            if (now < _next)
            {
                return;
            }

            _next = now + Interval;
            if (context.ErrorIsTerminal)
            {
                context.Error.Write($"\r\u001b[K{format()}");
                _rewriting = true;
            }
            else
            {
                context.Error.WriteLine($"progress: {format()}");
            }
        }
    }

    /// <summary>Clears a rewritten line; later reports are too late to matter once the summary is printed.</summary>
    public void Finish()
    {
        lock (_lock)
        {
            if (_rewriting)
            {
                context.Error.Write("\r\u001b[K");
                _rewriting = false;
            }

            _next = DateTimeOffset.MaxValue;
        }
    }
}
