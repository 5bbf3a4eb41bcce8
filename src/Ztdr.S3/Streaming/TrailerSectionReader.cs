using System.Text;
using static Ztdr.S3.Streaming.AwsChunkedRejections;

namespace Ztdr.S3.Streaming;

/// <summary>
/// Reads the trailer section after the terminating chunk up to the empty line that ends the body, checks each
/// trailer against x-amz-trailer and, for a signed body, verifies the trailer signature over them.
/// </summary>
internal sealed class TrailerSectionReader
{
    // Trailers are few (one checksum plus the signature); a body sending more is hostile.
    private const int MaxTrailerLines = 16;
    private const string TrailerSignatureName = "x-amz-trailer-signature";

    private readonly ChunkSignatureChain? _signatures;
    private readonly HashSet<string> _expectedTrailers;

    /// <param name="signatures">The body's signature chain, positioned after the terminating chunk; null when unsigned.</param>
    /// <param name="expectedTrailers">The names from x-amz-trailer; empty when none.</param>
    public TrailerSectionReader(ChunkSignatureChain? signatures, IEnumerable<string>? expectedTrailers)
    {
        _signatures = signatures;
        _expectedTrailers = new HashSet<string>(
            (expectedTrailers ?? []).Select(name => name.Trim().ToLowerInvariant()),
            StringComparer.Ordinal);
    }

    /// <returns>The trailers (lower-case names, trimmed values), without the trailer signature.</returns>
    public async ValueTask<IReadOnlyDictionary<string, string>> ReadAsync(
        AwsChunkedFrameReader frames, bool async, CancellationToken cancellationToken)
    {
        var trailers = new Dictionary<string, string>(StringComparer.Ordinal);
        string? trailerSignature = null;
        var canonical = new StringBuilder();
        for (var lines = 0; ; lines++)
        {
            if (lines > MaxTrailerLines)
            {
                throw Malformed("too many trailer lines.");
            }

            var raw = await frames.ReadLineAsync(async, cancellationToken).ConfigureAwait(false);

            // Lines end in CRLF; some clients end the last trailer with "\r" and then the final CRLF
            // ("value\r\r\n"). Normalise both: strip carriage returns, and treat two of them as "line, then end".
            var content = raw.TrimEnd('\r');
            var endsSection = raw.Length - content.Length >= 2;
            if (content.Length == 0)
            {
                break;
            }

            var colon = content.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw Malformed("a trailer line is not 'name:value'.");
            }

            var sentName = content[..colon].Trim();
            var name = sentName.ToLowerInvariant();
            var value = content[(colon + 1)..].Trim();
            if (name == TrailerSignatureName && _signatures is not null && _expectedTrailers.Count > 0)
            {
                if (trailerSignature is not null)
                {
                    throw Malformed("the trailer signature appears twice.");
                }

                trailerSignature = value;
            }
            else
            {
                if (trailerSignature is not null)
                {
                    // Anything after the signature would not be covered by it.
                    throw Malformed("a trailer follows the trailer signature.");
                }

                if (!_expectedTrailers.Contains(name))
                {
                    throw UnannouncedTrailer(name);
                }

                if (!trailers.TryAdd(name, value))
                {
                    throw Malformed($"the trailer '{name}' appears twice.");
                }

                // Signed as sent; names are matched case-insensitively but the signature covers the bytes.
                canonical.Append(sentName).Append(':').Append(value).Append('\n');
            }

            if (endsSection)
            {
                break;
            }
        }

        foreach (var expected in _expectedTrailers)
        {
            if (!trailers.ContainsKey(expected))
            {
                throw MissingTrailer(expected);
            }
        }

        if (_signatures is not null && _expectedTrailers.Count > 0)
        {
            if (trailerSignature is null)
            {
                throw MissingTrailerSignature();
            }

            _signatures.VerifyTrailer(canonical.ToString(), trailerSignature);
        }

        return trailers;
    }
}
