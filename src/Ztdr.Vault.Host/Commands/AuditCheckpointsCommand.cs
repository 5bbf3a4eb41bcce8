using System.CommandLine;
using Ztdr.Vault.Audit;

namespace Ztdr.Vault.Host.Commands;

/// <summary>
/// <c>audit checkpoints export</c> and the checkpoint half of <c>audit verify</c> (docs/audit-format.md, "Checkpoints").
/// Both only read, so they run with the vault stopped or serving.
/// </summary>
internal static class AuditCheckpointsCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "The vault's data folder", Required = true };
        var output = new Option<string?>("--out") { Description = "Write the checkpoints to this file (default: stdout)" };
        var export = new Command("export", "Write the vault's signed checkpoints, for a copy kept off the host; exit 2 if a stored line does not verify") { data, output };
        export.SetAction((parse, _) => CommandErrors.RunAsync(() => Task.FromResult(Export(AuditCommand.AuditDirectory(parse.GetValue(data)!), parse.GetValue(output)))));
        return new Command("checkpoints", "Signed checkpoints of the audit chain's head") { export };
    }

    /// <summary>Copies every checkpoint line that verifies with the vault's own public key; a line that does not is reported, not copied.</summary>
    private static int Export(string auditDirectory, string? output)
    {
        using var key = CheckpointKey.ReadPublicKey(CheckpointKey.PublicKeyPath(auditDirectory));
        var file = CheckpointFile.PathIn(auditDirectory);
        var lines = File.Exists(file) ? File.ReadAllLines(file) : [];
        var good = new List<string>();
        var bad = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (AuditCheckpoint.TryParse(lines[i], out var checkpoint) && checkpoint!.VerifiedBy(key))
            {
                good.Add(lines[i]);
            }
            else
            {
                bad++;
                Console.Error.WriteLine($"ztdr-vault: {file} line {i + 1} is not a checkpoint signed by this vault's key; not exported");
            }
        }

        var text = string.Concat(good.Select(line => line + "\n"));
        if (output is null)
        {
            Console.Out.Write(text);
        }
        else
        {
            File.WriteAllText(output, text);
            Console.Error.WriteLine($"{good.Count} checkpoints written to {Path.GetFullPath(output)} (signing key {CheckpointKey.FingerprintOf(key)})");
        }

        return bad == 0 ? 0 : AuditCommand.ChainBroken;
    }

    public static int Verify(string auditDirectory, string checkpointsFile, string? publicKeyFile)
    {
        var lines = File.ReadAllLines(checkpointsFile);
        using var key = CheckpointKey.ReadPublicKey(publicKeyFile ?? CheckpointKey.PublicKeyPath(auditDirectory));
        var result = CheckpointVerifier.Verify(auditDirectory, lines, key);
        if (result.Failure is { } failure)
        {
            Console.Error.WriteLine($"ztdr-vault: audit chain does not match the signed checkpoints: {failure}");
            return AuditCommand.ChainBroken;
        }

        if (!result.Chain.Ok)
        {
            Console.Error.WriteLine($"ztdr-vault: audit chain broken ({result.Chain.Defect!.Kind}) at {result.Chain.Defect} (records verified before it: {result.Chain.Records})");
            return AuditCommand.ChainBroken;
        }

        var latest = result.Latest is { } last ? $"; latest {CheckpointVerifier.Describe(last)}" : string.Empty;
        Console.WriteLine($"audit chain verified: {result.Chain.Records} records, head {result.Chain.HeadHash}; it extends all {result.Checkpoints} checkpoints signed by key {CheckpointKey.FingerprintOf(key)}{latest}");
        if (publicKeyFile is null)
        {
            Console.Error.WriteLine("ztdr-vault: checked against the public key in the data folder, which root on this host could replace; pass --public-key with the copy kept off the host");
        }

        return 0;
    }
}
