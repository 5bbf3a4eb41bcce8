using Ztdr.Cli;

return await CliApplication.RunAsync(args, CliContext.ForProcess());
