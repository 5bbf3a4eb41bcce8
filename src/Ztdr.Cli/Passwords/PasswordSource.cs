using System.Text;

namespace Ztdr.Cli.Passwords;

/// <summary>
/// Where the repository password comes from, first match wins: <c>--password-file</c>, <c>ZTDR_PASSWORD_FILE</c>,
/// <c>ZTDR_PASSWORD</c>, then a prompt when a terminal is attached. Without any of them the command fails rather than
/// wait on a stdin nobody types into.
/// </summary>
internal static class PasswordSource
{
    public const string FileVariable = "ZTDR_PASSWORD_FILE";
    public const string PasswordVariable = "ZTDR_PASSWORD";

    /// <remarks>
    /// With <paramref name="confirm"/> the prompt asks twice: for a new password, a typo would lock the owner out
    /// for good.
    /// </remarks>
    public static string Resolve(string? passwordFile, CliContext context, bool confirm)
    {
        if (passwordFile is not null)
        {
            return ReadFile(passwordFile, "--password-file");
        }

        if (context.Variable(FileVariable) is { } file)
        {
            return ReadFile(file, FileVariable);
        }

        if (context.Variable(PasswordVariable) is { } password)
        {
            return password;
        }

        if (context.Prompt is not { } prompt)
        {
            throw new CliException($"no repository password: use --password-file, {FileVariable} or {PasswordVariable}, or run on a terminal to be asked");
        }

        var typed = prompt.ReadPassword("enter repository password: ");
        if (typed.Length == 0)
        {
            throw new CliException("an empty password is not allowed");
        }

        if (confirm && prompt.ReadPassword("enter the password again: ") != typed)
        {
            throw new CliException("the two passwords differ; nothing was done");
        }

        return typed;
    }

    /// <summary>The file's text without one trailing line break (editors add one; it is not part of the password).</summary>
    private static string ReadFile(string path, string source)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read the password file '{path}' ({source}): {e.Message}");
        }

        if (text.EndsWith('\n'))
        {
            text = text[..^1];
            if (text.EndsWith('\r'))
            {
                text = text[..^1];
            }
        }

        if (text.Length == 0)
        {
            throw new CliException($"the password file '{path}' ({source}) is empty");
        }

        return text;
    }
}
