using Amazon.Runtime;

namespace Ztdr.Backup.Stores;

/// <summary>
/// Hands the AWS SDK an HttpClient over a handler we configure (CA trust, connect timeout); the SDK's own factory
/// offers neither. Public for <c>assess</c>, which builds its clients the same way.
/// </summary>
public sealed class HandlerHttpClientFactory(Func<SocketsHttpHandler> createHandler) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(createHandler());
}
