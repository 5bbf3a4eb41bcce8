using System.Net.Sockets;
using Amazon.Runtime;

namespace Ztdr.Backup.Stores;

/// <summary>
/// Hands the AWS SDK an HttpClient over a handler we configure (CA trust, connect timeout); the SDK's own factory
/// offers neither. Public for <c>assess</c>, which builds its clients the same way.
/// </summary>
public sealed class HandlerHttpClientFactory(Func<SocketsHttpHandler> createHandler) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(new SocketErrorsAsNetworkErrors { InnerHandler = createHandler() });

    /// <summary>
    /// .NET's connection pool reads a new socket's peer address after connecting. When the peer has already reset the
    /// connection (a proxy or load balancer dropping it), that read throws a bare <see cref="SocketException"/>
    /// (ENOTCONN) that is neither the IOException nor the HttpRequestException the SDK retries, so one dropped connection
    /// ended a whole backup. It is wrapped the way the pool wraps every other connect failure, and retried like them.
    /// </summary>
    private sealed class SocketErrorsAsNetworkErrors : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, e.Message, new IOException(e.Message, e));
            }
        }
    }
}
