using System.Net;
using Amazon.Runtime;
using Amazon.S3.Model;

namespace Ztdr.Backup.Stores;

/// <summary>Asking storage, without removing anything, whether these credentials may delete versions.</summary>
public sealed partial class S3ObjectStore
{
    /// <summary>A name under the prefix that nothing ever writes: the probe's delete can only ever be a no-op.</summary>
    internal const string DeleteProbeName = "prune-delete-probe";

    /// <summary>
    /// False when storage refuses these credentials a delete of a version: DeleteObject of version "null" of
    /// <see cref="DeleteProbeName"/>, which does not exist, so an allowed request removes nothing (S3 answers 204, or 404
    /// on some servers) and never adds a delete marker, which only a delete without a version id does. Prune asks before
    /// it writes anything, so a job run with the reader or backup key fails at once instead of "deleting" nothing
    /// every night while reporting success. Any answer but 403 counts as allowed: only a refusal is evidence.
    /// </summary>
    internal async Task<bool> MayDeleteVersionsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = _prefix + DeleteProbeName, VersionId = "null" }, cancellationToken);
            return true;
        }
        catch (AmazonServiceException e) when (e.StatusCode == HttpStatusCode.Forbidden)
        {
            return false;
        }
        catch (AmazonServiceException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
        {
            return true;
        }
        catch (Exception e) when (S3ErrorTranslation.IsStoreFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, _bucket, DeleteProbeName);
        }
    }
}
