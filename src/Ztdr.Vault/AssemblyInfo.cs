using System.Runtime.Versioning;

// The vault is a Linux appliance: file modes, directory fsync and its on-disk guarantees are Linux facts.
[assembly: SupportedOSPlatform("linux")]
