using System.Net.Sockets;
using System.Text;

namespace Ztdr.Vault.Management;

/// <summary>
/// The management listener's Unix socket, <c>DIR/admin.sock</c>. Inside the data folder, so two vaults on one host
/// never collide, and reachable only by the vault's user: the folder is 0700 and the socket 0600. The OS user is
/// the authentication, which is why requests on it need no signature.
/// </summary>
public static class ManagementSocket
{
    public const string FileName = "admin.sock";

    // sockaddr_un.sun_path is 108 bytes on Linux, including the terminating NUL.
    private const int MaxPathBytes = 107;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string PathFor(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), FileName);

    /// <summary>
    /// Makes <paramref name="path"/> ready to bind: a socket file left by a vault that died is removed; a socket
    /// that still answers belongs to a running vault on the same data folder, and starting a second one is refused.
    /// </summary>
    public static void PrepareToBind(string path)
    {
        if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
        {
            throw new ArgumentException($"the management socket path '{path}' is longer than the {MaxPathBytes} bytes a Unix socket allows; move the data folder to a shorter path");
        }

        if (!File.Exists(path))
        {
            return;
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new InvalidOperationException($"another ztdr-vault is already serving this data folder (its management socket {path} answers); stop it first");
            }
            catch (SocketException)
            {
                // Nobody listens: the file is stale, left by a vault that was killed.
            }
        }

        File.Delete(path);
    }

    /// <summary>Sets the bound socket to 0600. The 0700 data folder already keeps others out; this is the second wall.</summary>
    public static void Restrict(string path) => File.SetUnixFileMode(path, OwnerOnly);
}
