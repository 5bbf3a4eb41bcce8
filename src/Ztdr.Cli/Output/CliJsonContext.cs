using System.Text.Json.Serialization;

namespace Ztdr.Cli.Output;

/// <summary>
/// Every shape a <c>ztdr … --json</c> prints, serialized by generated code: camelCase names, nulls written unless a
/// record says otherwise, times through <see cref="UtcTimeJsonConverter"/>. docs/json-output.md is the schema of each
/// and golden tests freeze them, so a changed name or type is always a new <c>version</c>, never an accident.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, Converters = [typeof(UtcTimeJsonConverter)])]
[JsonSerializable(typeof(ErrorJson))]
[JsonSerializable(typeof(InitJson))]
[JsonSerializable(typeof(BackupJson))]
[JsonSerializable(typeof(IReadOnlyList<SnapshotJson>))]
[JsonSerializable(typeof(RestoreJson))]
[JsonSerializable(typeof(VerifyJson))]
[JsonSerializable(typeof(LsJson))]
[JsonSerializable(typeof(ForgetJson))]
[JsonSerializable(typeof(PruneJson))]
[JsonSerializable(typeof(KeyAddJson))]
[JsonSerializable(typeof(IReadOnlyList<KeyJson>))]
[JsonSerializable(typeof(AssessJson))]
[JsonSerializable(typeof(CopyJson))]
[JsonSerializable(typeof(CopyPlanJson))]
[JsonSerializable(typeof(IReadOnlyList<ZoneJson>))]
[JsonSerializable(typeof(StatusJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
}
