using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using FsCheck.Fluent;
using Xunit.Abstractions;
using Ztdr.S3.Errors;
using Ztdr.S3.Tests.Xml;
using Ztdr.S3.Xml;

namespace Ztdr.S3.Tests.Properties;

/// <summary>
/// Every request-body parser (CompleteMultipartUpload, Delete, Retention, LegalHold, ObjectLockConfiguration,
/// VersioningConfiguration, CreateBucketConfiguration) against random bytes, mutated valid documents and injected DTDs:
/// each answer is a value or an S3 error from the catalog, never another exception and never an entity expanded.
/// Where a writer or an obvious document form exists, generated values round-trip exactly.
/// </summary>
public sealed class XmlParserProperties(ITestOutputHelper output)
{
    private static readonly XNamespace S3 = S3Xml.Namespace;

    /// <summary>The parsers under test, by root element, each fed the bytes as the vault would.</summary>
    private static readonly (string Root, Func<byte[], object> Parse)[] Parsers =
    [
        ("CompleteMultipartUpload", static b => MultipartXmlParser.ParseCompleteMultipartUpload(b)),
        ("Delete", static b => ObjectXmlParser.ParseDelete(b)),
        ("Retention", static b => ObjectLockXmlParser.ParseRetention(b)),
        ("LegalHold", static b => ObjectLockXmlParser.ParseLegalHold(b)),
        ("ObjectLockConfiguration", static b => ObjectLockXmlParser.ParseObjectLockConfiguration(b)),
        ("VersioningConfiguration", static b => BucketXmlParser.ParseVersioningConfiguration(b)),
        ("CreateBucketConfiguration", static b => BucketXmlParser.ParseCreateBucketConfiguration(b)),
    ];

    [Fact]
    public void AllParsers_RandomBytes_ParseOrRefuseWithCatalogError() =>
        PropertyRun.Check(output, "xml: random bytes × 7 parsers", Seeds.Select(seed => new Input(seed, RandomDocument(new Random(seed)))), input =>
        {
            foreach (var (_, parse) in Parsers)
            {
                WireOutcome.Run(() => parse(input.Bytes));
            }
        }, cases: 1000);

    [Fact]
    public void EachParser_MutatedValidDocument_ParsesOrRefusesWithCatalogError() =>
        PropertyRun.Check(output, "xml: mutated valid documents", Seeds.Select(seed => MutatedDocument(new Random(seed), seed)), input =>
        {
            var (_, value, _) = WireOutcome.Run(() => Parsers[input.Parser].Parse(input.Bytes));
            if (value is not null)
            {
                AssertInvariants(value);
            }
        }, cases: 2000);

    [Fact]
    public void EachParser_DocumentWithDtd_IsRefusedAsMalformedXml() =>
        PropertyRun.Check(output, "xml: DTD or entity declaration injected", Seeds.Select(seed => WithDoctype(new Random(seed), seed)), input =>
        {
            var (parsed, _, refusal) = WireOutcome.Run(() => Parsers[input.Parser].Parse(input.Bytes));
            Assert.False(parsed, "a document carrying a DTD was accepted");
            Assert.Equal(S3Errors.MalformedXml, refusal!.Error);
        }, cases: 500);

    [Fact]
    public void ObjectLockDocuments_WrittenThenParsed_RoundTrip() =>
        PropertyRun.Check(output, "xml: object lock writer → parser round trip", Seeds, seed =>
        {
            var random = new Random(seed);
            ObjectLockConfiguration configuration = random.Next(3) switch
            {
                0 => new(null),
                1 => new(new DefaultRetention(Mode(random), random.Next(1, ObjectLockXmlParser.MaxDays + 1), null)),
                _ => new(new DefaultRetention(Mode(random), null, random.Next(1, ObjectLockXmlParser.MaxYears + 1))),
            };
            Assert.Equal(configuration, ObjectLockXmlParser.ParseObjectLockConfiguration(ObjectLockXmlWriter.ToBytes(configuration)));

            // The wire carries milliseconds: a retain-until date round-trips once truncated to them.
            var until = DateTimeOffset.UnixEpoch.AddTicks(random.NextInt64(0, DateTimeOffset.MaxValue.Ticks - DateTimeOffset.UnixEpoch.Ticks));
            until = until.AddTicks(-(until.Ticks % TimeSpan.TicksPerMillisecond));
            var retention = random.Next(5) == 0 ? new ObjectLockRetention(null, null) : new ObjectLockRetention(Mode(random), until);
            Assert.Equal(retention, ObjectLockXmlParser.ParseRetention(ObjectLockXmlWriter.ToBytes(retention)));

            var hold = new ObjectLockLegalHold(random.Next(2) == 0 ? LegalHoldStatus.On : LegalHoldStatus.Off);
            Assert.Equal(hold, ObjectLockXmlParser.ParseLegalHold(ObjectLockXmlWriter.ToBytes(hold)));

            var versioning = new VersioningConfiguration(random.Next(2) == 0 ? VersioningStatus.Enabled : VersioningStatus.Suspended);
            Assert.Equal(versioning, BucketXmlParser.ParseVersioningConfiguration(BucketXmlWriter.ToBytes(versioning)));
        }, cases: 1000);

    [Fact]
    public void DeleteAndComplete_AnyKeysAndParts_RoundTripThroughTheirDocument() =>
        PropertyRun.Check(output, "xml: Delete and CompleteMultipartUpload round trip", Seeds, seed =>
        {
            var random = new Random(seed);
            var objects = Enumerable.Range(0, random.Next(1, 40))
                .Select(_ => new ObjectIdentifier(HostileBytes.XmlSafeText(random, 12), random.Next(3) == 0 ? null : HostileBytes.XmlSafeText(random, 3)))
                .ToList();
            var quiet = random.Next(2) == 0;
            var delete = new XElement(S3 + "Delete",
                quiet || random.Next(2) == 0 ? new XElement(S3 + "Quiet", quiet ? "true" : "false") : null,
                objects.Select(o => new XElement(S3 + "Object", new XElement(S3 + "Key", o.Key), o.VersionId is null ? null : new XElement(S3 + "VersionId", o.VersionId))));
            var parsed = ObjectXmlParser.ParseDelete(Serialize(delete));
            Assert.Equal(quiet, parsed.Quiet);
            Assert.Equal(objects, parsed.Objects);

            var parts = Enumerable.Range(0, random.Next(1, 40))
                .Select(_ => new CompletedPart(
                    random.Next(4) == 0 ? random.Next(int.MinValue, int.MaxValue) : random.Next(1, 10001),
                    Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64())),
                    random.Next(3) == 0 ? new S3Checksums { Crc32 = "AAAAAA==", Sha256 = random.Next(2) == 0 ? null : HostileBytes.XmlSafeText(random, 2).Trim() + "x" } : null))
                .ToList();
            var complete = new XElement(S3 + "CompleteMultipartUpload", parts.Select(p => new XElement(S3 + "Part",
                new XElement(S3 + "PartNumber", random.Next(2) == 0 ? p.PartNumber.ToString(CultureInfo.InvariantCulture) : $" {p.PartNumber} "),
                new XElement(S3 + "ETag", random.Next(2) == 0 ? $"\"{p.ETag}\"" : p.ETag),
                p.Checksums?.Crc32 is { } crc ? new XElement(S3 + "ChecksumCRC32", crc) : null,
                p.Checksums?.Sha256 is { } sha ? new XElement(S3 + "ChecksumSHA256", sha) : null)));
            Assert.Equal(parts, MultipartXmlParser.ParseCompleteMultipartUpload(Serialize(complete)).Parts);
        }, cases: 500);

    [Theory]
    [InlineData("CompleteMultipartUpload", S3Xml.CompleteMultipartUploadMaxBodyBytes)]
    [InlineData("Delete", S3Xml.DeleteMaxBodyBytes)]
    [InlineData("Retention", S3Xml.DefaultMaxBodyBytes)]
    public void Parser_NestingAsDeepAsTheBodyCapAllows_IsRefusedBeforeATreeIsBuilt(string root, int cap)
    {
        // Building the tree costs time quadratic in the depth: 4 MiB of nesting took minutes of CPU before the depth cap.
        var depth = (cap - 200) / 7;
        var bytes = Nested(root, depth);
        Assert.True(bytes.Length <= cap);

        var (parsed, _, refusal) = WireOutcome.Run(() => Parsers.Single(p => p.Root == root).Parse(bytes));

        Assert.False(parsed);
        Assert.Equal(S3Errors.MalformedXml, refusal!.Error);
    }

    [Fact]
    public void Retention_UnknownElementsUpToTheDepthCap_AreIgnored()
    {
        // Unknown elements are ignored, so a Retention holding only them is the empty Retention.
        Assert.Equal(new ObjectLockRetention(null, null), ObjectLockXmlParser.ParseRetention(Nested("Retention", XmlBody.MaxDepth)));
        S3Assert.Malformed(() => ObjectLockXmlParser.ParseRetention(Nested("Retention", XmlBody.MaxDepth + 1)));
    }

    private static byte[] Nested(string root, int depth) => Encoding.UTF8.GetBytes(string.Concat(
        $"<{root}>", string.Concat(Enumerable.Repeat("<a>", depth)), "x", string.Concat(Enumerable.Repeat("</a>", depth)), $"</{root}>"));

    private static FsCheck.Gen<int> Seeds => Gen.Choose(0, int.MaxValue);

    private static ObjectLockMode Mode(Random random) => random.Next(2) == 0 ? ObjectLockMode.Governance : ObjectLockMode.Compliance;

    private static byte[] Serialize(XElement root)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { NewLineHandling = NewLineHandling.Entitize, Encoding = new UTF8Encoding(false) }))
        {
            root.Save(writer);
        }

        return buffer.ToArray();
    }

    private static byte[] RandomDocument(Random random) => random.Next(3) switch
    {
        0 => HostileBytes.RandomBytes(random, 256),
        1 => Encoding.UTF8.GetBytes($"<{Parsers[random.Next(Parsers.Length)].Root}>{HostileBytes.XmlSafeText(random, 20)}"),
        _ => [.. Enumerable.Range(0, random.Next(1, 12)).SelectMany(_ => HostileBytes.Snippets[random.Next(HostileBytes.Snippets.Length)])],
    };

    /// <summary>A valid document for a random parser, then mutated.</summary>
    private static Input MutatedDocument(Random random, int seed)
    {
        var parser = random.Next(Parsers.Length);
        return new Input(seed, HostileBytes.Mutate(random, ValidDocument(random, Parsers[parser].Root)), parser);
    }

    private static Input WithDoctype(Random random, int seed)
    {
        var parser = random.Next(Parsers.Length);
        var document = ValidDocument(random, Parsers[parser].Root);
        var doctype = HostileBytes.Snippets[random.Next(4)];
        var declaration = random.Next(2) == 0 ? "<?xml version=\"1.0\"?>\n"u8.ToArray() : [];
        return new Input(seed, [.. declaration, .. doctype, .. document], parser);
    }

    private static byte[] ValidDocument(Random random, string root)
    {
        string Int() => random.Next(6) switch
        {
            0 => "0",
            1 => "-1",
            2 => "10001",
            3 => int.MaxValue.ToString(CultureInfo.InvariantCulture),
            _ => random.Next(1, 100).ToString(CultureInfo.InvariantCulture),
        };

        string Pick(params string[] values) => values[random.Next(values.Length)];

        var body = root switch
        {
            "CompleteMultipartUpload" => string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ =>
                $"<Part><PartNumber>{Int()}</PartNumber><ETag>\"{Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64()))}\"</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>")),
            "Delete" => $"<Quiet>{Pick("true", "false", "1")}</Quiet>" + string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ =>
                $"<Object><Key>{SecurityElementEscape(HostileBytes.XmlSafeText(random, 6))}</Key><VersionId>v{random.Next()}</VersionId></Object>")),
            "Retention" => $"<Mode>{Pick("COMPLIANCE", "GOVERNANCE")}</Mode><RetainUntilDate>{Pick("2030-01-01T00:00:00Z", "2030-01-01T00:00:00.123456789+02:00", "2030-01-01T00:00:00.000Z")}</RetainUntilDate>",
            "LegalHold" => $"<Status>{Pick("ON", "OFF")}</Status>",
            "ObjectLockConfiguration" => $"<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>{Pick("COMPLIANCE", "GOVERNANCE")}</Mode><{Pick("Days", "Years")}>{Int()}</{Pick("Days", "Years")}></DefaultRetention></Rule>",
            "VersioningConfiguration" => $"<Status>{Pick("Enabled", "Suspended")}</Status><MfaDelete>{Pick("Disabled", "Enabled")}</MfaDelete>",
            _ => $"<LocationConstraint>{Pick("us-east-1", "eu-west-1", "")}</LocationConstraint>",
        };
        var ns = random.Next(2) == 0 ? $" xmlns=\"{S3Xml.Namespace}\"" : string.Empty;
        return Encoding.UTF8.GetBytes($"<{root}{ns}>{body}</{root}>");
    }

    private static string SecurityElementEscape(string text) => System.Security.SecurityElement.Escape(text);

    /// <summary>What a successful parse promises its caller, whatever the input.</summary>
    private static void AssertInvariants(object value)
    {
        switch (value)
        {
            case CompleteMultipartUpload complete:
                Assert.NotEmpty(complete.Parts);
                Assert.All(complete.Parts, p => Assert.False(string.IsNullOrEmpty(p.ETag)));
                break;
            case DeleteObjectsRequest delete:
                Assert.InRange(delete.Objects.Count, 1, ObjectXmlParser.MaxDeleteObjects);
                Assert.All(delete.Objects, o => Assert.False(string.IsNullOrEmpty(o.Key)));
                break;
            case ObjectLockRetention retention:
                Assert.Equal(retention.Mode is null, retention.RetainUntilDate is null);
                break;
            case ObjectLockConfiguration { DefaultRetention: { } rule }:
                Assert.True(rule.Days is > 0 and <= ObjectLockXmlParser.MaxDays ^ rule.Years is > 0 and <= ObjectLockXmlParser.MaxYears);
                break;
            case VersioningConfiguration versioning:
                Assert.NotNull(versioning.Status);
                break;
        }
    }

    /// <summary>One generated body; the seed alone reproduces it (<c>new Random(seed)</c>).</summary>
    public sealed record Input(int Seed, byte[] Bytes, int Parser = -1)
    {
        public override string ToString() => $"seed {Seed}, parser {Parser}: {HostileBytes.Preview(Bytes)}";
    }
}
