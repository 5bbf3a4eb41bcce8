namespace Ztdr.Backup.Packing;

/// <summary>
/// Fills a span with random bytes: nonces and object ids. Production passes
/// <see cref="System.Security.Cryptography.RandomNumberGenerator.Fill"/>; golden tests pass a fixed sequence.
/// </summary>
internal delegate void RandomFill(Span<byte> destination);
