namespace Ztdr.Backup.Repository;

/// <summary>
/// How long objects are locked (repository-format.md § 9.1 "lock", § 11). Retain-until dates are rounded up to a
/// generation boundary, gen(t) = ceil(t / generationSeconds) · generationSeconds in Unix seconds, so a pack reused by
/// daily backups needs one extension call per generation rather than one per backup.
/// </summary>
public sealed record LockPolicy(long RetentionSeconds, long GenerationSeconds)
{
    /// <summary>One week: a reused pack costs at most one extension call a week.</summary>
    public const long DefaultGenerationSeconds = 7 * 24 * 3600;

    public TimeSpan Retention => TimeSpan.FromSeconds(RetentionSeconds);

    public static LockPolicy For(TimeSpan retention, long generationSeconds = DefaultGenerationSeconds)
    {
        var seconds = (long)Math.Ceiling(retention.TotalSeconds);
        var policy = new LockPolicy(seconds, generationSeconds);
        policy.Validate();
        return policy;
    }

    public void Validate()
    {
        if (RetentionSeconds < 1 || GenerationSeconds < 1)
        {
            throw new RepositoryFormatException($"A lock of {RetentionSeconds} s in generations of {GenerationSeconds} s is not valid: both must be positive.");
        }
    }

    /// <summary>gen(t): <paramref name="t"/> rounded up to the next generation boundary (unchanged when already on one).</summary>
    public DateTimeOffset Generation(DateTimeOffset t)
    {
        var ticks = t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = (ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        var generation = (seconds + GenerationSeconds - 1) / GenerationSeconds * GenerationSeconds;
        return DateTimeOffset.FromUnixTimeSeconds(generation);
    }

    /// <summary>The retain-until of objects a run starting at <paramref name="now"/> uploads: gen(now + retention).</summary>
    public DateTimeOffset RetainUntilForRunAt(DateTimeOffset now) => Generation(now + Retention);
}
