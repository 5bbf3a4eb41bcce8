using System.CommandLine;
using Ztdr.Vault.Host;
using Ztdr.Vault.Host.Commands;

NativeHeap.LimitArenas();

var root = new RootCommand("ztdr-vault: an immutable, S3-compatible storage appliance")
{
    InitCommand.Create(),
    ServeCommand.Create(),
    KeysCommand.Create(),
    ApprovalsCommand.Create(),
    ClockCommand.Create(),
    BucketsCommand.Create(),
    ScrubCommand.Create(),
    AuditCommand.Create(),
    RecoverCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
