using System.Text.Encodings.Web;
using System.Text.Json;
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
    /// <summary>
    /// What the commands print with: <see cref="Default"/>'s settings, but quotes, <c>&lt;&gt;&amp;</c> and non-ASCII
    /// letters as themselves, so a message reads <c>'config'</c> and a path <c>Müller</c> rather than <c>\u0027</c>
    /// escapes. The default escaping is for JSON embedded in HTML, which this output never is; control characters
    /// and lone surrogates are still escaped, so every line stays valid JSON.
    /// </summary>
    public static CliJsonContext Output => Relaxed.Context;

    // A holder class: its initializer runs on first use, after Default's (static initializers of partial files run in
    // no defined order, so reading Default from one of this class's own could see null).
    private static class Relaxed
    {
        public static readonly CliJsonContext Context = new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
