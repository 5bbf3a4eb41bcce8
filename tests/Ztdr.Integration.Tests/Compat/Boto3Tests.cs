using Ztdr.Integration.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Compat;

/// <summary>
/// boto3 at its default settings (only endpoint_url and verify=the vault's CA): the Python script asserts every
/// result itself and exits non-zero with a MISMATCH line on the first difference.
/// </summary>
public sealed class Boto3Tests : IClassFixture<VaultFixture>
{
    private readonly VaultFixture _fixture;

    public Boto3Tests(VaultFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public async Task Boto3_DefaultSettings_PutsListsReadsVersionsCopiesAndDeletes()
    {
        using var temp = new TemporaryDirectory("boto3");
        var script = temp.Combine("compat.py");
        await File.WriteAllTextAsync(script, Script);
        var python = InstalledTool.Require("python3", _fixture.Vault);

        var result = await python.RunAsync(
            [script, _fixture.Vault.Endpoint, _fixture.Vault.CaBundle, VaultProcess.DefaultBucket, temp.Path],
            _fixture.Vault.ClientEnvironment(),
            temp.Path);

        Assert.True(result.ExitCode == 0, python.Describe([script], result));
        Assert.Contains("all checks passed", result.StandardOutput, StringComparison.Ordinal);
    }

    private const string Script = """
        # Drives boto3 at its default settings (only endpoint_url and the vault's CA) and asserts every result.
        import hashlib
        import os
        import sys

        import boto3
        import botocore
        from boto3.s3.transfer import TransferConfig

        endpoint, ca, bucket, workdir = sys.argv[1:5]


        def check(condition, message):
            if not condition:
                print("MISMATCH: " + message, flush=True)
                sys.exit(1)


        s3 = boto3.client("s3", endpoint_url=endpoint, verify=ca)
        sent = {}


        def remember_headers(request, operation_name, **kwargs):
            sent.setdefault(operation_name, []).append(
                {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()})


        s3.meta.events.register("before-send.s3", lambda request, **kw: remember_headers(request, kw["event_name"].split(".")[-1]))


        def md5_etag(data):
            return '"%s"' % hashlib.md5(data).hexdigest()


        # put_object: botocore >= 1.36 sends a CRC32 by default (a trailer on a streaming HTTPS body); older ones
        # (Debian 12 ships 1.29) send Content-MD5. Both must work; the newer path is the one asserted to be taken.
        default_crc32 = tuple(int(part) for part in botocore.__version__.split(".")[:2]) >= (1, 36)
        body = os.urandom(300_000)
        put = s3.put_object(Bucket=bucket, Key="py/put.bin", Body=body)
        check(put["ETag"] == md5_etag(body), "put_object ETag %r" % put["ETag"])
        headers = sent["PutObject"][-1]
        if default_crc32:
            check(headers.get("x-amz-trailer") == "x-amz-checksum-crc32" or "x-amz-checksum-crc32" in headers,
                  "botocore %s did not send its default CRC32 checksum: %r" % (botocore.__version__, headers))
            check("ChecksumCRC32" in put, "put_object response lacks the ChecksumCRC32 it was sent: %r" % put)
        print("put_object sent %s" % ", ".join(k for k in ("x-amz-trailer", "x-amz-checksum-crc32", "content-md5") if k in headers))
        check(put.get("VersionId"), "versioned bucket but no VersionId")
        got = s3.get_object(Bucket=bucket, Key="py/put.bin")
        check(got["Body"].read() == body, "get_object bytes differ from put_object bytes")

        # upload_file: 20 MiB with the default TransferConfig (8 MiB threshold and chunks) goes multipart, 3 parts.
        big = os.urandom(20 * 1024 * 1024)
        path = os.path.join(workdir, "big.bin")
        with open(path, "wb") as f:
            f.write(big)
        s3.upload_file(path, bucket, "py/big.bin", Config=TransferConfig())
        check("CreateMultipartUpload" in sent and len(sent.get("UploadPart", [])) == 3,
              "upload_file did not use a 3-part multipart upload: %r" % {k: len(v) for k, v in sent.items()})
        head = s3.head_object(Bucket=bucket, Key="py/big.bin")
        check(head["ContentLength"] == len(big), "head_object ContentLength %r" % head["ContentLength"])
        check(head["ETag"].endswith('-3"'), "multipart ETag should end in -3: %r" % head["ETag"])
        down = os.path.join(workdir, "big.down")
        s3.download_file(bucket, "py/big.bin", down)
        with open(down, "rb") as f:
            check(f.read() == big, "download_file bytes differ")

        # get_object with Range
        ranged = s3.get_object(Bucket=bucket, Key="py/big.bin", Range="bytes=1000-1999")
        check(ranged["ResponseMetadata"]["HTTPStatusCode"] == 206, "Range status %r" % ranged["ResponseMetadata"]["HTTPStatusCode"])
        check(ranged["ContentRange"] == "bytes 1000-1999/%d" % len(big), "ContentRange %r" % ranged["ContentRange"])
        check(ranged["Body"].read() == big[1000:2000], "ranged bytes differ")
        tail = s3.get_object(Bucket=bucket, Key="py/put.bin", Range="bytes=-10")
        check(tail["Body"].read() == body[-10:], "suffix range bytes differ")

        # list_objects_v2 with Delimiter and paging by MaxKeys=2; keys that need URL encoding on the wire.
        keys = ["py/list/a.txt", "py/list/b c+d.txt", "py/list/dir1/x.txt", "py/list/dir1/y.txt",
                "py/list/dir2/z.txt", "py/list/e\u00e9\u4e2d.txt", "py/list/f.txt"]
        for key in keys:
            s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
        contents, prefixes, pages, token = [], [], 0, None
        while True:
            args = dict(Bucket=bucket, Prefix="py/list/", Delimiter="/", MaxKeys=2)
            if token:
                args["ContinuationToken"] = token
            page = s3.list_objects_v2(**args)
            pages += 1
            check(page["KeyCount"] <= 2, "page has %d entries" % page["KeyCount"])
            contents += [c["Key"] for c in page.get("Contents", [])]
            prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
            if not page["IsTruncated"]:
                break
            token = page["NextContinuationToken"]
        check(contents == ["py/list/a.txt", "py/list/b c+d.txt", "py/list/e\u00e9\u4e2d.txt", "py/list/f.txt"], "contents %r" % contents)
        check(prefixes == ["py/list/dir1/", "py/list/dir2/"], "common prefixes %r" % prefixes)
        check(pages == 3, "6 entries at MaxKeys=2 should be 3 pages, got %d" % pages)
        paginated = [c["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="py/list/") for c in p.get("Contents", [])]
        check(paginated == sorted(keys, key=lambda k: k.encode()), "recursive listing %r" % paginated)

        # list_object_versions after an overwrite and a delete
        first = s3.put_object(Bucket=bucket, Key="py/ver.txt", Body=b"one")["VersionId"]
        second = s3.put_object(Bucket=bucket, Key="py/ver.txt", Body=b"two")["VersionId"]
        marker = s3.delete_object(Bucket=bucket, Key="py/ver.txt")
        check(marker.get("DeleteMarker") is True and marker.get("VersionId"), "delete_object on a versioned bucket: %r" % marker)
        versions = s3.list_object_versions(Bucket=bucket, Prefix="py/ver.txt")
        check([v["VersionId"] for v in versions.get("Versions", [])] == [second, first], "versions %r" % versions.get("Versions"))
        check([v["IsLatest"] for v in versions["Versions"]] == [False, False], "no object version may be latest under a delete marker")
        markers = versions.get("DeleteMarkers", [])
        check(len(markers) == 1 and markers[0]["VersionId"] == marker["VersionId"] and markers[0]["IsLatest"], "delete markers %r" % markers)
        old = s3.get_object(Bucket=bucket, Key="py/ver.txt", VersionId=first)
        check(old["Body"].read() == b"one", "old version bytes")

        # copy_object
        copied = s3.copy_object(Bucket=bucket, Key="py/copy.bin", CopySource={"Bucket": bucket, "Key": "py/put.bin"})
        check(copied["CopyObjectResult"]["ETag"] == md5_etag(body), "copy ETag %r" % copied["CopyObjectResult"]["ETag"])
        check(s3.get_object(Bucket=bucket, Key="py/copy.bin")["Body"].read() == body, "copied bytes differ")

        # delete_objects (sends a checksum of the XML body by default)
        deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys]})
        check(sorted(d["Key"] for d in deleted.get("Deleted", [])) == sorted(keys), "delete_objects deleted %r" % deleted.get("Deleted"))
        check(not deleted.get("Errors"), "delete_objects errors %r" % deleted.get("Errors"))
        left = s3.list_objects_v2(Bucket=bucket, Prefix="py/list/")
        check(left["KeyCount"] == 0, "keys left after delete_objects: %r" % left.get("Contents"))

        print("boto3 %s, botocore %s: all checks passed" % (boto3.__version__, botocore.__version__))
        """;
}
