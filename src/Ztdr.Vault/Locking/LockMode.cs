namespace Ztdr.Vault.Locking;

/// <summary>
/// The retention mode of a version. The numbers are stored on disk (frozen by a golden test): never renumber, only add.
/// </summary>
public enum LockMode
{
    /// <summary>Protected, except from a caller that holds the bypass permission and asks for the bypass.</summary>
    Governance = 1,

    /// <summary>Protected from everyone until it expires; can only be extended.</summary>
    Compliance = 2,
}
