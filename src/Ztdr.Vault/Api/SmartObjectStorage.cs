using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Api;

/// <summary>
/// Veeam's Smart Object Storage API: system.xml and capacity.xml under a fixed folder in every bucket, synthesised
/// on read (never stored, never listed, never writable), with capacity figures from the vault's real filesystem.
/// </summary>
internal sealed class SmartObjectStorage
{
    public const string Folder = ".system-d26a9498-cb7c-4a87-a44a-8ae204f5ba6c/";
    private const string SystemKey = Folder + "system.xml";
    private const string CapacityKey = Folder + "capacity.xml";

    private readonly VaultStore _store;
    private readonly TimeProvider _time;

    public SmartObjectStorage(VaultStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    public bool IsVirtualKey(string key) => key is SystemKey or CapacityKey;

    public byte[]? TryGet(BucketRecord bucket, string key) => key switch
    {
        SystemKey => Encoding.UTF8.GetBytes(SystemXml()),
        CapacityKey => Encoding.UTF8.GetBytes(CapacityXml(bucket)),
        _ => null,
    };

    public async Task WriteAsync(S3Call call, byte[] body, bool headOnly)
    {
        var response = call.Http.Response;
        response.StatusCode = 200;
        response.ContentType = "application/xml";
        response.ContentLength = body.Length;
#pragma warning disable CA5351 // MD5 is S3's ETag format here, not a security control.
        response.Headers.ETag = $"\"{Convert.ToHexStringLower(MD5.HashData(body))}\"";
#pragma warning restore CA5351
        response.Headers.LastModified = ObjectHeaders.HttpDate(_time.GetUtcNow());
        if (!headOnly)
        {
            await response.Body.WriteAsync(body, call.Aborted);
        }
    }

    internal static string SystemXml()
    {
        var version = typeof(SmartObjectStorage).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        return $"""
            <?xml version="1.0" encoding="UTF-8" ?>
            <SystemInfo>
              <ProtocolVersion>"1.0"</ProtocolVersion>
              <ModelName>"Ztdr ztdr-vault {version}"</ModelName>
              <ProtocolCapabilities>
                <CapacityInfo>true</CapacityInfo>
                <UploadSessions>false</UploadSessions>
                <IAMSTS>false</IAMSTS>
              </ProtocolCapabilities>
            </SystemInfo>
            """;
    }

    private string CapacityXml(BucketRecord bucket)
    {
        var capacity = _store.Files.TotalBytes();
        var available = _store.Files.AvailableBytes();
        var used = _store.Objects.UsedBytes(bucket.Name);
        return string.Create(CultureInfo.InvariantCulture, $"""
            <?xml version="1.0" encoding="UTF-8" ?>
            <CapacityInfo>
              <Capacity>{capacity}</Capacity>
              <Available>{Math.Max(0, available)}</Available>
              <Used>{used}</Used>
            </CapacityInfo>
            """);
    }
}
