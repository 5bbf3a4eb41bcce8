namespace Ztdr.Cli.Passwords;

/// <summary>Asks a person at a terminal for a password without echoing it.</summary>
internal interface IPasswordPrompt
{
    string ReadPassword(string prompt);
}
