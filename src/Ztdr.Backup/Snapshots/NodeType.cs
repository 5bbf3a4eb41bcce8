using System.Text.Json.Serialization;

namespace Ztdr.Backup.Snapshots;

/// <summary>What a tree node is (repository-format.md § 9.4). Devices, fifos and sockets are skipped in v1.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NodeType>))]
internal enum NodeType
{
    [JsonStringEnumMemberName("file")]
    File,

    [JsonStringEnumMemberName("dir")]
    Dir,

    [JsonStringEnumMemberName("symlink")]
    Symlink,
}
