using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Hostile;

/// <summary>
/// One TLS connection to the vault speaking HTTP/1.1 by hand, for what no HTTP client will send: lying lengths, NUL
/// and raw non-UTF-8 bytes, thousands of headers, bytes drip-fed. Every read is bounded by a generous safety-net
/// timeout, so a vault that hangs fails the test instead of stalling the suite; nothing asserts on how long it took.
/// </summary>
internal sealed class RawConnection : IAsyncDisposable
{
    /// <summary>Far above every timeout of the vault (Kestrel's are 30 s at most): only a hang reaches it.</summary>
    public static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(90);

    private readonly TcpClient _tcp;
    private readonly SslStream _tls;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawConnection(TcpClient tcp, SslStream tls)
    {
        _tcp = tcp;
        _tls = tls;
    }

    public static async Task<RawConnection> OpenAsync(VaultProcess vault)
    {
        ArgumentNullException.ThrowIfNull(vault);
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, vault.Port);
        var trust = new VaultCertificateTrust(vault.CaBundle);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, errors) => trust.Validate(certificate, errors));
        await tls.AuthenticateAsClientAsync("127.0.0.1");
        return new RawConnection(tcp, tls);
    }

    /// <summary>The request head: request line, headers (name: value, in order, nothing added), blank line.</summary>
    public static byte[] Head(string method, string target, IEnumerable<KeyValuePair<string, string>> headers)
    {
        var head = new StringBuilder().Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return Encoding.Latin1.GetBytes(head.Append("\r\n").ToString());
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        using var cancel = new CancellationTokenSource(SafetyNet);
        await _tls.WriteAsync(bytes, cancel.Token);
        await _tls.FlushAsync(cancel.Token);
    }

    /// <summary>Sends <paramref name="bytes"/> one small piece at a time with a pause in between; stops quietly once the vault hangs up.</summary>
    public async Task<bool> DripAsync(ReadOnlyMemory<byte> bytes, int pieceSize, TimeSpan pause)
    {
        try
        {
            for (var offset = 0; offset < bytes.Length; offset += pieceSize)
            {
                await SendAsync(bytes.Slice(offset, Math.Min(pieceSize, bytes.Length - offset)));
                await Task.Delay(pause);
            }

            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads one response: status, headers, and a body by Content-Length (or to the close). Null when the vault closed
    /// the connection (or reset it) without answering.
    /// </summary>
    public async Task<RawHttpResponse?> ReadResponseAsync()
    {
        using var cancel = new CancellationTokenSource(SafetyNet);
        try
        {
            var statusLine = await ReadLineAsync(cancel.Token);
            if (statusLine is null)
            {
                return null;
            }

            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (await ReadLineAsync(cancel.Token) is { Length: > 0 } line)
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }

            var status = int.Parse(statusLine.Split(' ')[1], CultureInfo.InvariantCulture);
            byte[] body;
            if (headers.TryGetValue("content-length", out var length))
            {
                body = await ReadExactAsync(int.Parse(length, CultureInfo.InvariantCulture), cancel.Token);
            }
            else if (headers.TryGetValue("connection", out var connection) && connection.Equals("close", StringComparison.OrdinalIgnoreCase))
            {
                body = await ReadToEndAsync(cancel.Token);
            }
            else
            {
                body = [];
            }

            return new RawHttpResponse(status, headers, body);
        }
        catch (IOException)
        {
            return null;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"the vault neither answered nor closed within the {SafetyNet.TotalSeconds} s safety net");
        }
    }

    /// <summary>True when the vault has closed the connection (reads end) rather than waiting for more.</summary>
    public async Task<bool> IsClosedByVaultAsync()
    {
        using var cancel = new CancellationTokenSource(SafetyNet);
        try
        {
            while (true)
            {
                var n = await _tls.ReadAsync(_buffer, cancel.Token);
                if (n == 0)
                {
                    return true;
                }
            }
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>TLS close_notify, then no more bytes from us: the vault sees the body end early.</summary>
    public async Task EndSendingAsync()
    {
        await _tls.ShutdownAsync();
        _tcp.Client.Shutdown(SocketShutdown.Send);
    }

    public async ValueTask DisposeAsync()
    {
        await _tls.DisposeAsync();
        _tcp.Dispose();
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.Latin1.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                _start = newline + 1;
                return line;
            }

            if (!await FillAsync(cancellationToken))
            {
                return null;
            }
        }
    }

    private async Task<byte[]> ReadExactAsync(int length, CancellationToken cancellationToken)
    {
        var body = new MemoryStream();
        while (body.Length < length)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
            {
                break;
            }

            var n = (int)Math.Min(length - body.Length, _end - _start);
            body.Write(_buffer, _start, n);
            _start += n;
        }

        return body.ToArray();
    }

    private async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken)
    {
        var body = new MemoryStream();
        do
        {
            body.Write(_buffer, _start, _end - _start);
            _start = _end;
        }
        while (await FillAsync(cancellationToken));
        return body.ToArray();
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var n = await _tls.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        _end += n;
        return n > 0;
    }
}

internal sealed record RawHttpResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public override string ToString() => $"{Status} {Text}";
}
