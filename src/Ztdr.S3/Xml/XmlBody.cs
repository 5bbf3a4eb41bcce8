using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Xml;
using System.Xml.Linq;
using Ztdr.S3.Errors;

namespace Ztdr.S3.Xml;

/// <summary>
/// Safe loading of request bodies. Every failure — too large, not XML, a DTD, the wrong root, a bad number —
/// becomes one <see cref="S3Errors.MalformedXml"/>, so no parser can leak an XmlException or FormatException
/// (which the request boundary would report as a 500).
/// </summary>
internal static class XmlBody
{
    private const int ReadChunkBytes = 16 * 1024;

    /// <summary>
    /// Deepest element nesting accepted (the root is depth 0). S3 request documents go four deep; building an XDocument
    /// costs time quadratic in the depth, so a 4 MiB body of nested elements would pin a core for minutes.
    /// </summary>
    public const int MaxDepth = 16;

    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        // A DOCTYPE is refused outright: that stops entity expansion (billion laughs) and external
        // entities (XXE, SSRF through the resolver) before any of them is looked at.
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 0,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        // Whitespace is kept: a key made only of spaces is a legal key and must not be dropped.
        IgnoreWhitespace = false,
        CloseInput = true,
    };

    /// <summary>Reads at most <paramref name="maxBytes"/> bytes; one byte more is a rejection, not a truncation.</summary>
    public static async ValueTask<ReadOnlyMemory<byte>> ReadCappedAsync(Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(ReadChunkBytes);
        try
        {
            while (true)
            {
                // Never ask for more than one byte past the cap, so an endless body costs at most cap + 1 bytes.
                var wanted = (int)Math.Min(chunk.Length, (long)maxBytes + 1 - buffer.Length);
                var read = await body.ReadAsync(chunk.AsMemory(0, wanted), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes)
                {
                    throw TooLarge(maxBytes);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>Loads the document and checks its root; returns null for an empty (or all-whitespace) body.</summary>
    public static XElement? LoadOptional(ReadOnlyMemory<byte> body, string rootName, int maxBytes)
    {
        if (body.Length > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        if (IsBlank(body.Span))
        {
            return null;
        }

        XDocument document;
        try
        {
            CheckDepth(body);
            using var stream = AsStream(body);
            using var reader = XmlReader.Create(stream, ReaderSettings);
            document = XDocument.Load(reader, LoadOptions.PreserveWhitespace);
        }
        catch (XmlException ex)
        {
            throw Malformed(inner: ex);
        }

        var root = document.Root ?? throw Malformed();
        var ns = root.Name.NamespaceName;
        if (root.Name.LocalName != rootName || (ns.Length > 0 && ns != S3Xml.Namespace))
        {
            throw Malformed();
        }

        return root;
    }

    public static XElement Load(ReadOnlyMemory<byte> body, string rootName, int maxBytes) =>
        LoadOptional(body, rootName, maxBytes) ?? throw Malformed();

    /// <summary>Children named <paramref name="name"/> in the parent's namespace; elements this parser doesn't know are ignored.</summary>
    public static IEnumerable<XElement> Children(XElement parent, string name) => parent.Elements(parent.Name.Namespace + name);

    /// <summary>The one child named <paramref name="name"/>, or null; two of them is malformed.</summary>
    public static XElement? Single(XElement parent, string name)
    {
        XElement? found = null;
        foreach (var child in Children(parent, name))
        {
            if (found is not null)
            {
                throw Malformed();
            }

            found = child;
        }

        return found;
    }

    /// <summary>The text of a leaf child, verbatim (keys may begin or end with spaces), or null when absent.</summary>
    public static string? OptionalText(XElement parent, string name)
    {
        var element = Single(parent, name);
        if (element is null)
        {
            return null;
        }

        if (element.HasElements)
        {
            throw Malformed();
        }

        return element.Value;
    }

    public static string RequiredText(XElement parent, string name) => OptionalText(parent, name) ?? throw Malformed();

    /// <summary>xs:int: optional sign, surrounding whitespace allowed (the schema collapses it), nothing else.</summary>
    public static int ParseInt(string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw Malformed();

    /// <summary>xs:boolean: true, false, 1 or 0.</summary>
    public static bool ParseBool(string text) =>
        text.Trim() switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            _ => throw Malformed(),
        };

    public static S3Exception Malformed(string? message = null, Exception? inner = null) => new(S3Errors.MalformedXml, message, inner);

    /// <summary>A streaming pass that refuses deep nesting before any tree is built; linear in the body.</summary>
    private static void CheckDepth(ReadOnlyMemory<byte> body)
    {
        using var stream = AsStream(body);
        using var reader = XmlReader.Create(stream, ReaderSettings);
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.Depth > MaxDepth)
            {
                throw Malformed(string.Create(CultureInfo.InvariantCulture, $"The XML body nests elements deeper than {MaxDepth} levels."));
            }
        }
    }

    private static S3Exception TooLarge(int maxBytes) =>
        Malformed(string.Create(CultureInfo.InvariantCulture, $"The XML body is larger than the {maxBytes} bytes this request allows."));

    private static bool IsBlank(ReadOnlySpan<byte> body)
    {
        foreach (var b in body)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> body) =>
        MemoryMarshal.TryGetArray(body, out var segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);
}
