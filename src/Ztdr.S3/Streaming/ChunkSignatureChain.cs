using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Ztdr.S3.Errors;

namespace Ztdr.S3.Streaming;

/// <summary>
/// Verifies the chain of chunk signatures of a signed aws-chunked body: each chunk's signature covers its
/// data and the previous signature, so chunks cannot be dropped, reordered or spliced from another request.
/// </summary>
internal sealed class ChunkSignatureChain
{
    private const string EmptySha256Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private readonly byte[] _key;
    private readonly string _payloadPrefix;
    private readonly string _trailerPrefix;
    private string _previous;

    public ChunkSignatureChain(ChunkSigningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.SigningKey is not { Length: 32 })
        {
            throw new ArgumentException("A SigV4 signing key is 32 bytes.", nameof(context));
        }

        if (!IsSignatureHex(context.SeedSignature))
        {
            throw new ArgumentException("The seed signature must be 64 hex digits.", nameof(context));
        }

        _key = context.SigningKey;
        _payloadPrefix = $"AWS4-HMAC-SHA256-PAYLOAD\n{context.AmzDate}\n{context.Scope}\n";
        _trailerPrefix = $"AWS4-HMAC-SHA256-TRAILER\n{context.AmzDate}\n{context.Scope}\n";
        _previous = context.SeedSignature.ToLowerInvariant();
    }

    public static bool IsSignatureHex(string? value) =>
        value is { Length: 64 } && value.AsSpan().IndexOfAnyExcept("0123456789abcdefABCDEF") < 0;

    /// <summary>Checks <paramref name="provided"/> against the chunk's data; on success it becomes the next "previous".</summary>
    public void VerifyChunk(ReadOnlySpan<byte> data, string provided)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(data, hash);
        var stringToSign = string.Concat(_payloadPrefix, _previous, "\n", EmptySha256Hex, "\n", Convert.ToHexStringLower(hash));
        Verify(stringToSign, provided, "chunk");
    }

    /// <summary>Checks the trailer signature; <paramref name="canonicalTrailer"/> is every trailer as "name:value\n".</summary>
    public void VerifyTrailer(string canonicalTrailer, string provided)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(canonicalTrailer));
        var stringToSign = string.Concat(_trailerPrefix, _previous, "\n", Convert.ToHexStringLower(hash));
        Verify(stringToSign, provided, "trailer");
    }

    private void Verify(string stringToSign, string provided, string what)
    {
        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(stringToSign), expected);

        Span<byte> actual = stackalloc byte[32];
        if (!IsSignatureHex(provided)
            || Convert.FromHexString(provided, actual, out _, out var written) != OperationStatus.Done
            || written != 32
            || !CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            throw new S3Exception(
                S3Errors.SignatureDoesNotMatch,
                $"The {what} signature of the aws-chunked body does not match; the body was altered or signed with another key.")
                .With("StringToSign", stringToSign);
        }

        _previous = Convert.ToHexStringLower(expected);
    }
}
