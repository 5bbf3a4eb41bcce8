using System.Text;

namespace Ztdr.Cli.Passwords;

/// <summary>Reads a password from the attached terminal, key by key, printing nothing for what is typed.</summary>
internal sealed class TerminalPasswordPrompt : IPasswordPrompt
{
    public string ReadPassword(string prompt)
    {
        Console.Error.Write(prompt);
        var password = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return password.ToString();
    }
}
