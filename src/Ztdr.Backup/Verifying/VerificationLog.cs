using Ztdr.Backup.Compression;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Verifying;

/// <summary>
/// The <c>verifications/&lt;id&gt;</c> objects of a repository (repository-format.md § 9.5): one per verify run,
/// sealed like every object and COMPLIANCE-locked to the run's generation, so a compromised backup host can neither
/// read them nor erase the record of a failed verification while it is locked. Writing needs a key that can put
/// objects (backup); a reader key gets access denied and the caller keeps the record elsewhere.
/// <paramref name="store"/> must be the store <paramref name="repository"/> was opened on.
/// </summary>
/// <remarks>
/// Ids are random (§ 1), so the newest record is found by reading them all: a few hundred bytes each, read in
/// parallel. A year of daily verifications is 365 small reads; prune leaves them alone (they are tiny and nothing
/// references them), so a later version may let prune drop all but the newest once their locks end.
/// </remarks>
internal sealed class VerificationLog(IObjectStore store, Repository.Repository repository)
{
    public const string Prefix = "verifications/";

    /// <summary>A record is a few hundred bytes of JSON; anything larger is not one of ours.</summary>
    private const int MaxBodyLength = 64 * 1024;

    public static string Name(ObjectId id) => Prefix + id;

    /// <summary>Seals and uploads <paramref name="record"/> under a new id, locked until the run's generation.</summary>
    public async Task<ObjectId> WriteAsync(VerificationRecord record, CancellationToken cancellationToken)
    {
        var id = ObjectId.NewRandom();
        using var compressor = new BlobCompressor(repository.Config.CompressionLevel);
        var sealedRecord = SealedObject.Seal(repository.Keys, compressor, ObjectType.Verification, id, record.Serialize());
        await store.PutNewAsync(Name(id), sealedRecord, repository.RunRetainUntil, cancellationToken);
        return id;
    }

    /// <summary>
    /// The authentic record with the latest time, or null when the repository holds none. Records are read through
    /// the repository's <see cref="Authenticity.AuthenticReader"/>: one that does not authenticate (planted with a
    /// stolen backup key) is passed over and logged as an impostor, so it can neither break <c>status</c> nor stand in
    /// for a verification that never ran.
    /// </summary>
    public async Task<VerificationRecord?> LatestAsync(CancellationToken cancellationToken)
    {
        var names = new List<(ObjectId Id, Authenticity.StoredName Item)>();
        await foreach (var item in repository.Reader.ListAsync(Prefix, cancellationToken))
        {
            if (ObjectId.TryParse(item.Name[Prefix.Length..], out var id))
            {
                names.Add((id, item));
            }
        }

        var records = new VerificationRecord?[names.Count];
        await Parallel.ForAsync(0, names.Count, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, token) =>
        {
            using var compressor = new BlobCompressor(repository.Config.CompressionLevel);
            records[i] = await repository.Reader.ReadAsync(
                names[i].Item,
                MaxBodyLength + 4096,
                bytes => VerificationRecord.Parse(SealedObject.Open(repository.Keys, compressor, ObjectType.Verification, names[i].Id, bytes, MaxBodyLength)),
                token);
        });
        return records.OfType<VerificationRecord>().MaxBy(r => r.Time);
    }
}
