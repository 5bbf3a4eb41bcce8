using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ztdr.Backup.Tests.Stores;

/// <summary>A plain-HTTP server that answers every request with one S3 error, counting the requests that reached it.</summary>
internal sealed class ScriptedS3Server : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly int _status;
    private readonly string _code;
    private int _requests;

    public ScriptedS3Server(int status, string code)
    {
        _status = status;
        _code = code;
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Endpoint.ToString());
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public Uri Endpoint { get; }

    public int Requests => Volatile.Read(ref _requests);

    public void Dispose() => _listener.Close();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _requests);
            var body = Encoding.UTF8.GetBytes($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{_code}</Code><Message>scripted</Message><RequestId>r</RequestId></Error>");
            context.Response.StatusCode = _status;
            context.Response.ContentType = "application/xml";
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }
}
