using Ztdr.Backup.Crypto;
using Ztdr.Backup.Packing;

namespace Ztdr.Backup.Index;

/// <summary>One pack as an index object lists it: its id, the retain-until it was uploaded with, and its trailer entries.</summary>
internal sealed record IndexedPack(ObjectId PackId, DateTimeOffset RetainUntil, IReadOnlyList<PackEntry> Entries);

/// <summary>
/// The plaintext of an <c>index/&lt;id&gt;</c> object (repository-format.md § 8): the index objects it replaces
/// (written by prune) and the packs it describes.
/// </summary>
internal sealed record IndexObject(IReadOnlyList<ObjectId> Supersedes, IReadOnlyList<IndexedPack> Packs);
