using Ztdr.Backup;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Stores;
using Ztdr.Cli.Commands;

namespace Ztdr.Cli.Tests.Commands;

public class CommandErrorsTests
{
    public static TheoryData<Exception, string, int> Known => new()
    {
        { new ObjectStoreException(StoreErrorKind.AccessDenied, "PUT config: denied"), "ztdr: access denied: PUT config: denied", CommandErrors.Failed },
        { new ObjectStoreException(StoreErrorKind.Unavailable, "connection refused"), "ztdr: storage unavailable: connection refused", CommandErrors.Failed },
        { new WrongPasswordException("No key object opens with this password."), "ztdr: wrong password: No key object opens with this password.", CommandErrors.Failed },
        { new RepositoryFormatException("bad header"), "ztdr: the repository holds data ztdr cannot read: bad header", CommandErrors.Failed },
        { new CliException("no repository given"), "ztdr: no repository given", CommandErrors.Usage },
        { new ArgumentException("CA bundle 'x' holds no certificate", "caBundlePath"), "ztdr: CA bundle 'x' holds no certificate", CommandErrors.Usage },
        { new IOException("disk full\nreally"), "ztdr: disk full really", CommandErrors.Failed },
        { new InvalidOperationException("surprise"), "ztdr: unexpected InvalidOperationException: surprise (this is a bug; rerun with ZTDR_DEBUG=1 for details)", CommandErrors.Bug },
        { new OperationCanceledException(), "ztdr: interrupted", CommandErrors.Interrupted },
    };

    [Theory]
    [MemberData(nameof(Known))]
    public async Task RunAsync_Failure_OneLineAndExitCode(Exception failure, string expected, int exitCode)
    {
        var test = new TestContext();

        var exit = await CommandErrors.RunAsync(test.Context, () => throw failure);

        Assert.Equal(exitCode, exit);
        Assert.Equal(expected + "\n", test.Error.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task RunAsync_UnexpectedWithDebug_AlsoWritesTheStackTrace()
    {
        var test = new TestContext(new Dictionary<string, string> { ["ZTDR_DEBUG"] = "1" });

        await CommandErrors.RunAsync(test.Context, () => throw new InvalidOperationException("surprise"));

        Assert.Contains("   at ", test.Error.ToString(), StringComparison.Ordinal);
    }
}
