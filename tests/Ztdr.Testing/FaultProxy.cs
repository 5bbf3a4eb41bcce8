using System.Net;
using System.Net.Sockets;

namespace Ztdr.Testing;

/// <summary>
/// A TCP proxy on a loopback port that forwards every connection to a target port (a vault) and injects network
/// faults between a client and the server: a connection reset after some bytes, every k-th connection dropped, a
/// stall, added latency. TLS passes through as opaque bytes: the vault's certificate names 127.0.0.1, so a repository
/// URL pointing at the proxy's port verifies as it would against the vault. All settings can change while it runs
/// and apply from the next chunk or connection; <see cref="Faults"/> counts what was injected so a test can prove the
/// fault happened rather than assume it.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private const int ChunkSize = 16 * 1024;

    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;
    private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _connections;
    private int _faults;
    private long _forwarded;
    private long _uploaded;
    private long _downloaded;
    private int _resetsLeft = int.MaxValue;
    private int _dropsLeft = int.MaxValue;

    private FaultProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _resumed.SetResult();
        _accepting = AcceptLoopAsync();
    }

    /// <summary>The loopback port clients connect to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Reset (RST) every connection once it has carried this many bytes (both directions together); null: never.</summary>
    public long? ResetAfterBytes { get; set; }

    /// <summary>
    /// How many more resets <see cref="ResetAfterBytes"/> may inject (each one decrements it; unlimited by default):
    /// a transient fault is a bounded number of resets, so a client that retries enough always gets through.
    /// </summary>
    public int ResetsLeft
    {
        get => Volatile.Read(ref _resetsLeft);
        set => Volatile.Write(ref _resetsLeft, value);
    }

    /// <summary>Reset every k-th new connection as soon as it is accepted, before any byte; 0: never.</summary>
    public int DropEvery { get; set; }

    /// <summary>
    /// How many more drops <see cref="DropEvery"/> may inject (unlimited by default). With <see cref="ResetsLeft"/> it
    /// bounds the faults one request can meet: with two requests in flight, one of them can take every fault in turn.
    /// </summary>
    public int DropsLeft
    {
        get => Volatile.Read(ref _dropsLeft);
        set => Volatile.Write(ref _dropsLeft, value);
    }

    /// <summary>Reset every new connection at once: the endpoint is down as far as the client can tell.</summary>
    public bool RefuseAll { get; set; }

    /// <summary>Added before each forwarded chunk (at most 16 KiB), in both directions.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>
    /// Stop forwarding once this many bytes went from the client to the server, over all connections (upload
    /// direction); null: never. Connections stay open and silent until <see cref="Resume"/>. Lets a test stop a
    /// client at a known point of its upload, without guessing at timings.
    /// </summary>
    public long? StallAfterUploadBytes { get; set; }

    /// <summary>As <see cref="StallAfterUploadBytes"/>, for bytes from the server to the client (download direction).</summary>
    public long? StallAfterDownloadBytes { get; set; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Faults injected so far (resets and drops; a stall counts once).</summary>
    public int Faults => Volatile.Read(ref _faults);

    /// <summary>Bytes forwarded so far, both directions.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Starts a proxy forwarding to <paramref name="targetPort"/> on loopback.</summary>
    public static FaultProxy Start(int targetPort) => new(targetPort);

    /// <summary>Completes when forwarding stalled (see <see cref="StallAfterUploadBytes"/>).</summary>
    public Task Stalled
    {
        get
        {
            lock (_lock)
            {
                return _stalled.Task;
            }
        }
    }

    /// <summary>Forwards again after a stall, and clears both stall thresholds.</summary>
    public void Resume()
    {
        lock (_lock)
        {
            StallAfterUploadBytes = null;
            StallAfterDownloadBytes = null;
            _resumed.TrySetResult();
        }
    }

    /// <summary>Resets every open connection now (as a crashed middlebox would).</summary>
    public void ResetAll()
    {
        lock (_lock)
        {
            foreach (var client in _open)
            {
                Reset(client);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        ResetAll();
        Resume();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
            // Stopped on purpose.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var number = Interlocked.Increment(ref _connections);
            if (RefuseAll || (DropEvery > 0 && number % DropEvery == 0 && Take(ref _dropsLeft)))
            {
                Interlocked.Increment(ref _faults);
                Reset(client);
                client.Dispose();
                continue;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var upstream = new TcpClient();
        lock (_lock)
        {
            _open.Add(client);
            _open.Add(upstream);
        }

        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            var connection = new ConnectionState(ResetAfterBytes);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = PumpAsync(client, upstream, connection, upload: true, done.Token);
            var down = PumpAsync(upstream, client, connection, upload: false, done.Token);
            await Task.WhenAny(up, down);
            await done.CancelAsync();
            if (connection.Reset)
            {
                Reset(client);
                Reset(upstream);
            }

            await Task.WhenAll(up, down).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The server is down (a test killed it): the client sees its connection reset, as it would.
            Reset(client);
        }
        finally
        {
            lock (_lock)
            {
                _open.Remove(client);
                _open.Remove(upstream);
            }

            client.Dispose();
        }
    }

    /// <summary>Copies one direction until either side closes; a reset decided here ends both directions.</summary>
    private async Task PumpAsync(TcpClient from, TcpClient to, ConnectionState connection, bool upload, CancellationToken cancellationToken)
    {
        var buffer = new byte[ChunkSize];
        try
        {
            var input = from.GetStream();
            var output = to.GetStream();
            while (true)
            {
                var read = await input.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    // HTTP peers do not half-close: one side's end is the connection's end.
                    to.Client.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (Latency > TimeSpan.Zero)
                {
                    await Task.Delay(Latency, cancellationToken);
                }

                await WaitWhileStalledAsync(upload, read, cancellationToken);
                var send = read;
                if (connection.ResetAfter is { } limit && connection.Carried + read >= limit && TakeReset())
                {
                    send = (int)Math.Max(0, limit - connection.Carried);
                    connection.Reset = true;
                }

                if (send > 0)
                {
                    await output.WriteAsync(buffer.AsMemory(0, send), cancellationToken);
                    connection.Add(send);
                    Interlocked.Add(ref _forwarded, send);
                }

                if (connection.Reset)
                {
                    Interlocked.Increment(ref _faults);
                    return;
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side went away, or the other direction ended the connection.
        }
    }

    private async Task WaitWhileStalledAsync(bool upload, int bytes, CancellationToken cancellationToken)
    {
        var total = upload ? Interlocked.Add(ref _uploaded, bytes) : Interlocked.Add(ref _downloaded, bytes);
        Task resumed;
        lock (_lock)
        {
            var threshold = upload ? StallAfterUploadBytes : StallAfterDownloadBytes;
            if (threshold is not { } limit || total < limit)
            {
                return;
            }

            if (_resumed.Task.IsCompleted)
            {
                _resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Interlocked.Increment(ref _faults);
            }

            _stalled.TrySetResult();
            resumed = _resumed.Task;
        }

        await resumed.WaitAsync(cancellationToken);
    }

    private bool TakeReset() => Take(ref _resetsLeft);

    /// <summary>Takes one fault from a budget (int.MaxValue: unlimited); false once it is spent.</summary>
    private static bool Take(ref int budget)
    {
        while (true)
        {
            var left = Volatile.Read(ref budget);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref budget, left == int.MaxValue ? left : left - 1, left) == left)
            {
                return true;
            }
        }
    }

    private static void Reset(TcpClient client)
    {
        try
        {
            // Linger 0 makes close send RST instead of FIN: the peer sees "connection reset by peer".
            client.Client.LingerState = new LingerOption(true, 0);
            client.Client.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }

    /// <summary>Bytes one connection carried (both directions), and whether the proxy decided to reset it.</summary>
    private sealed class ConnectionState(long? resetAfter)
    {
        private long _carried;

        public long? ResetAfter { get; } = resetAfter;

        public long Carried => Interlocked.Read(ref _carried);

        public bool Reset { get; set; }

        public void Add(long bytes) => Interlocked.Add(ref _carried, bytes);
    }
}
