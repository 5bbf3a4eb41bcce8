namespace Ztdr.Vault.Host.Commands;

/// <summary>Every command failure becomes one line on stderr and a non-zero exit, never a stack trace.</summary>
internal static class CommandErrors
{
    public static async Task<int> RunAsync(Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (Exception e) when (e is Setup.InitException or ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"ztdr-vault: {e.Message}");
            return 1;
        }
    }
}
