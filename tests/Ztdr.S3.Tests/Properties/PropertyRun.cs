using System.Globalization;
using System.Reflection;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;
using Ztdr.S3.Errors;
using Ztdr.S3.Xml;

namespace Ztdr.S3.Tests.Properties;

/// <summary>
/// Runs one property over generated cases, deterministically: a fixed FsCheck replay seed, so a failure found once is
/// found again on every machine. <c>ZTDR_PROPERTY_CASES</c> raises (or lowers) the number of cases of every property and
/// <c>ZTDR_PROPERTY_SEED</c> picks another seed, for a longer hunt than the suite's budget allows.
/// </summary>
internal static class PropertyRun
{
    public const ulong DefaultSeed = 20261128;

    // SplitMix's gamma must be odd; this is the golden-ratio one FsCheck itself favours.
    private const ulong Gamma = 0x9E3779B97F4A7C15;

    /// <summary>
    /// Checks <paramref name="property"/> on <paramref name="cases"/> values of <paramref name="generator"/> (or the
    /// environment's count), writes "name: N cases (seed S)" to the test output and returns N.
    /// </summary>
    public static int Check<T>(ITestOutputHelper output, string name, Gen<T> generator, Action<T> property, int cases)
    {
        ArgumentNullException.ThrowIfNull(output);
        var count = ReadEnvironment("ZTDR_PROPERTY_CASES") is { } overridden ? (int)overridden : cases;
        var seed = ReadEnvironment("ZTDR_PROPERTY_SEED") ?? DefaultSeed;
        var tried = 0;
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(count)
            .WithReplay(seed, Gamma)
            .WithQuietOnSuccess(true)
            .WithName(name);

        // The safety net against a hang is the run as a whole, not a timed assertion on any case.
        var run = Task.Run(() => Prop.ForAll(generator.ToArbitrary(), value =>
        {
            Interlocked.Increment(ref tried);
            property(value);
        }).Check(config));
        if (!run.Wait(TimeSpan.FromMinutes(5)))
        {
            Assert.Fail($"{name}: still running after 5 minutes ({tried} cases started): a parser hangs");
        }

        run.GetAwaiter().GetResult();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {tried} cases (seed {seed})"));
        Assert.True(tried >= count, $"{name}: only {tried} of {count} cases ran");
        return tried;
    }

    private static ulong? ReadEnvironment(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } text
            ? ulong.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture)
            : null;
}

/// <summary>What a wire parser may do with any input: return a value, or refuse with an S3 error from the catalog.</summary>
internal static class WireOutcome
{
    /// <summary>Every error the S3 library may raise: the catalog, plus the one code parked in the object-lock parser.</summary>
    private static readonly HashSet<S3Error> Catalog =
    [
        .. typeof(S3Errors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(static f => f.FieldType == typeof(S3Error))
            .Select(static f => (S3Error)f.GetValue(null)!),
        ObjectLockXmlParser.InvalidRetentionPeriod,
    ];

    /// <summary>
    /// Runs <paramref name="parse"/>; a refusal must be a catalog error below 500. Any other exception escapes and fails
    /// the property. Returns the value, or default when refused.
    /// </summary>
    public static (bool Parsed, T? Value, S3Exception? Refusal) Run<T>(Func<T> parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        try
        {
            return (true, parse(), null);
        }
        catch (S3Exception e)
        {
            AssertTyped(e);
            return (false, default, e);
        }
    }

    public static void AssertTyped(S3Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        Assert.True(Catalog.Contains(e.Error), $"error {e.Error.Code} is not in the catalog");
        Assert.True(
            e.Error.Status is >= 400 and < 500 || e.Error == S3Errors.NotImplemented,
            $"{e.Error.Code} carries {e.Error.Status}: bad input is the client's fault, never a 5xx (only 501 for a feature the vault lacks)");
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }
}
