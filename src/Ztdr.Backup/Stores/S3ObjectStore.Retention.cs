using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Ztdr.Backup.Stores;

/// <content>Object Lock retention: reading a version's retention and extending it (never shortening: the service refuses).</content>
public sealed partial class S3ObjectStore
{
    public Task<ObjectRetention?> GetRetentionAsync(string name, CancellationToken cancellationToken = default) =>
        GetVersionRetentionAsync(name, null, cancellationToken);

    public async Task<ObjectRetention?> GetVersionRetentionAsync(string name, string? versionId, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        GetObjectRetentionResponse response;
        try
        {
            response = await _client.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = _bucket, Key = _prefix + name, VersionId = versionId }, cancellationToken);
        }
        catch (Exception e) when (S3ErrorTranslation.IsNoRetention(e))
        {
            return null;
        }
        catch (Exception e) when (S3ErrorTranslation.IsStoreFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, _bucket, name);
        }

        if (response.Retention is not { RetainUntilDate: { } until } retention || retention.Mode is null)
        {
            return null;
        }

        var mode = retention.Mode == ObjectLockRetentionMode.Governance ? RetentionMode.Governance : RetentionMode.Compliance;
        return new ObjectRetention(mode, new DateTimeOffset(DateTime.SpecifyKind(until, DateTimeKind.Utc).ToUniversalTime()));
    }

    public Task ExtendRetentionAsync(string name, DateTimeOffset retainUntil, CancellationToken cancellationToken = default) =>
        ExtendVersionRetentionAsync(name, null, retainUntil, cancellationToken);

    public async Task ExtendVersionRetentionAsync(string name, string? versionId, DateTimeOffset retainUntil, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        if ((await GetVersionRetentionAsync(name, versionId, cancellationToken))?.Covers(retainUntil) == true)
        {
            return;
        }

        var request = new PutObjectRetentionRequest
        {
            BucketName = _bucket,
            Key = _prefix + name,
            VersionId = versionId,
            Retention = new ObjectLockRetention { Mode = ObjectLockRetentionMode.Compliance, RetainUntilDate = retainUntil.UtcDateTime },
        };
        try
        {
            await _client.PutObjectRetentionAsync(request, cancellationToken);
        }
        catch (Exception e) when (S3ErrorTranslation.IsStoreFailure(e, cancellationToken))
        {
            // A concurrent extension to a later date makes ours a (refused) shortening; the goal is still met.
            if (e is AmazonServiceException { StatusCode: HttpStatusCode.Forbidden }
                && (await GetVersionRetentionAsync(name, versionId, cancellationToken))?.Covers(retainUntil) == true)
            {
                return;
            }

            if (e is AmazonServiceException { ErrorCode: "InvalidArgument" })
            {
                throw StoreErrors.RetentionNotInFuture(name, retainUntil);
            }

            throw S3ErrorTranslation.Translate(e, _bucket, name);
        }
    }
}
