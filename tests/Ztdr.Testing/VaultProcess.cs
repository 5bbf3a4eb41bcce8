using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;

namespace Ztdr.Testing;

/// <summary>
/// A real ztdr-vault: <c>init</c> into a temp folder, then <c>serve</c> on a free loopback port over HTTPS. Tests
/// talk to it over real sockets with real clients; nothing in the vault is faked.
/// </summary>
public sealed class VaultProcess : IAsyncDisposable
{
    public const string DefaultBucket = "backups";

    /// <summary>
    /// A test-only profile holding every role, created through the management socket after start: the S3 API tests
    /// exercise the whole protocol with one key. Least-privilege tests use the per-role profiles init writes.
    /// </summary>
    public const string AllRolesProfile = "all";
    private readonly TemporaryDirectory _directory;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private readonly IReadOnlyList<string> _hostnames;

    private VaultProcess(TemporaryDirectory directory, int port, bool insecureHttp, IReadOnlyList<string> hostnames)
    {
        _directory = directory;
        Port = port;
        InsecureHttp = insecureHttp;
        _hostnames = hostnames;
    }

    /// <summary>Extra arguments of every <c>serve</c> this vault runs (e.g. <c>--key-write-rate</c>).</summary>
    public IReadOnlyList<string> ServeArguments { get; init; } = [];

    /// <summary>The process id of the serving vault (for signals and /proc readings).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("not serving");

    public int Port { get; }

    /// <summary>
    /// Extra environment for every later <c>serve</c> of this vault, e.g. libfaketime's <c>LD_PRELOAD</c> and
    /// <c>FAKETIME</c> to run it under a shifted wall clock. Takes effect at the next start: stop, change, restart.
    /// </summary>
    public IDictionary<string, string> ServeEnvironment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public bool InsecureHttp { get; }

    public string Endpoint => $"{(InsecureHttp ? "http" : "https")}://127.0.0.1:{Port}";

    public string Root => _directory.Path;

    public string DataDirectory => _directory.Combine("vault");

    public string CredentialsFile => _directory.Combine("credentials");

    public string CaBundle => Path.Combine(DataDirectory, "tls", "ca.crt");

    /// <summary>Everything the vault wrote to stdout and stderr so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <param name="bucket">The bucket init creates (versioning and Object Lock enabled), or null for none.</param>
    /// <param name="insecureHttp">Serve plain HTTP on loopback.</param>
    /// <param name="hostnames">Extra --hostname values for init and serve.</param>
    /// <param name="initArguments">Extra arguments for init, e.g. --default-retention 1d.</param>
    /// <param name="serveArguments">Extra arguments for every serve, e.g. --key-write-rate 10KiB.</param>
    public static async Task<VaultProcess> StartAsync(string? bucket = DefaultBucket, bool insecureHttp = false, IReadOnlyList<string>? hostnames = null, IReadOnlyList<string>? initArguments = null, IReadOnlyList<string>? serveArguments = null)
    {
        var directory = new TemporaryDirectory("vault");
        var vault = new VaultProcess(directory, FreePort(), insecureHttp, hostnames ?? []) { ServeArguments = serveArguments ?? [] };
        try
        {
            var init = new List<string> { "init", "--data", vault.DataDirectory, "--credentials-out", vault.CredentialsFile };
            if (bucket is not null)
            {
                init.AddRange(["--bucket", bucket]);
            }

            foreach (var hostname in vault._hostnames)
            {
                init.AddRange(["--hostname", hostname]);
            }

            init.AddRange(initArguments ?? []);
            var result = await RunVaultAsync(init);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException("ztdr-vault init failed: " + result);
            }

            await vault.StartServingAsync();
            var keys = await RunVaultAsync(["keys", "create", "--data", vault.DataDirectory, "--role", "admin,backup,reader,maintenance", "--bucket", "*", "--credentials-out", vault.CredentialsFile, "--profile-name", AllRolesProfile]);
            if (keys.ExitCode != 0)
            {
                throw new InvalidOperationException("ztdr-vault keys create failed: " + keys);
            }

            return vault;
        }
        catch
        {
            await vault.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs a management command (e.g. "approvals", "approve", ID) against this vault's socket, signed by the admin key of
    /// <paramref name="profile"/> in <see cref="CredentialsFile"/> (sensitive operations and approvals need one).
    /// </summary>
    public Task<ProcessResult> ManageAsync(string profile, params string[] arguments) =>
        ProcessRunner.RunAsync(
            RepositoryPaths.VaultExecutable,
            [.. arguments, "--data", DataDirectory, "--profile", profile],
            new Dictionary<string, string> { ["AWS_SHARED_CREDENTIALS_FILE"] = CredentialsFile },
            timeout: TimeSpan.FromMinutes(2));

    /// <summary>Approves <paramref name="approvalId"/> with the admin key of <paramref name="profile"/>; throws if refused.</summary>
    public async Task ApproveAsync(string approvalId, string profile = "admin")
    {
        var result = await ManageAsync(profile, "approvals", "approve", approvalId);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"approving {approvalId} as [{profile}] failed: {result}");
        }
    }

    /// <summary>The approval id an S3 XVaultApprovalRequired error names in its message.</summary>
    public static string ApprovalIdIn(string message) =>
        System.Text.RegularExpressions.Regex.Match(message, @"Approval (ap[0-9a-f]{16})") is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException($"no approval id in '{message}'");

    /// <summary>Runs the ztdr-vault executable to completion.</summary>
    public static Task<ProcessResult> RunVaultAsync(IEnumerable<string> arguments) =>
        ProcessRunner.RunAsync(RepositoryPaths.VaultExecutable, arguments, timeout: TimeSpan.FromMinutes(2));

    public (string AccessKeyId, string Secret) Credentials(string profile = AllRolesProfile) =>
        CredentialsFileProfile.Read(CredentialsFile, profile);

    /// <summary>An AWSSDK.S3 client at its default settings, pointed at this vault and trusting only its CA.</summary>
    public AmazonS3Client CreateClient(string profile = AllRolesProfile, Action<AmazonS3Config>? configure = null)
    {
        var (id, secret) = Credentials(profile);
        var config = new AmazonS3Config
        {
            ServiceURL = Endpoint,
            AuthenticationRegion = "us-east-1",
            HttpClientFactory = new TrustingHttpClientFactory(new VaultCertificateTrust(CaBundle)),
        };
        configure?.Invoke(config);
        return new AmazonS3Client(new BasicAWSCredentials(id, secret), config);
    }

    /// <summary>Environment for the aws CLI and other AWS tools: shared credentials file, profile, CA bundle.</summary>
    public Dictionary<string, string> ClientEnvironment(string profile = AllRolesProfile) => new()
    {
        ["AWS_SHARED_CREDENTIALS_FILE"] = CredentialsFile,
        ["AWS_CONFIG_FILE"] = Path.Combine(Root, "aws-config-none"),
        ["AWS_PROFILE"] = profile,
        ["AWS_CA_BUNDLE"] = CaBundle,
        ["AWS_DEFAULT_REGION"] = "us-east-1",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
        ["AWS_PAGER"] = string.Empty,
    };

    /// <summary>Stops the server with SIGTERM and waits for a clean exit; returns its exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (_process is null || _process.HasExited)
        {
            return _process?.ExitCode ?? 0;
        }

        _ = Kill(_process.Id, 15);
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>GET on the management plane through the serving vault's Unix socket (the OS user is the credential).</summary>
    public async Task<string> AdminGetAsync(string path)
    {
        var socket = Path.Combine(DataDirectory, "admin.sock");
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancellationToken);
                    return new NetworkStream(s, ownsSocket: true);
                }
                catch
                {
                    s.Dispose();
                    throw;
                }
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri("http://localhost") };
        return await http.GetStringAsync(path);
    }

    /// <summary>Restarts serving on the same data folder and port (after a stop or a kill).</summary>
    public Task RestartAsync() => StartServingAsync();

    public void KillHard()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            KillHard();
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        _process?.Dispose();
        await Task.Yield();
        _directory.Dispose();
    }

    private async Task StartServingAsync()
    {
        var info = new ProcessStartInfo(RepositoryPaths.VaultExecutable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "serve", "--data", DataDirectory, "--listen", $"127.0.0.1:{Port}" })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in ServeEnvironment)
        {
            info.Environment[name] = value;
        }

        if (InsecureHttp)
        {
            info.ArgumentList.Add("--insecure-http");
        }

        foreach (var hostname in _hostnames)
        {
            info.ArgumentList.Add("--hostname");
            info.ArgumentList.Add(hostname);
        }

        foreach (var argument in ServeArguments)
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start ztdr-vault serve");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"ztdr-vault serve exited with {_process.ExitCode}:\n{Log}");
            }

            // Ready means both listeners: the S3 port, and the management socket that `keys create` talks to
            // (the two start independently, so a test could otherwise race the socket).
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                using var management = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await management.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(DataDirectory, "admin.sock")));
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"ztdr-vault serve did not listen on {Port} and its management socket within 30 s:\n{Log}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
#pragma warning disable SYSLIB1054
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054

    private sealed class TrustingHttpClientFactory : HttpClientFactory
    {
        private readonly VaultCertificateTrust _trust;

        public TrustingHttpClientFactory(VaultCertificateTrust trust)
        {
            _trust = trust;
        }

        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(_trust.CreateHandler());
    }
}
