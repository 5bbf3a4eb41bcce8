using System.CommandLine;
using Ztdr.Vault.Host.Commands;

var root = new RootCommand("ztdr-vault: an immutable, S3-compatible storage appliance")
{
    InitCommand.Create(),
    ServeCommand.Create(),
    AuditCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
