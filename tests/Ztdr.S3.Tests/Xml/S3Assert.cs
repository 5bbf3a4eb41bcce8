using Ztdr.S3.Errors;

namespace Ztdr.S3.Tests.Xml;

internal static class S3Assert
{
    public static S3Exception Fails(S3Error expected, Action action)
    {
        var exception = Assert.Throws<S3Exception>(action);
        Assert.Equal(expected.Code, exception.Error.Code);
        Assert.Equal(expected.Status, exception.Error.Status);
        return exception;
    }

    public static S3Exception Malformed(Action action) => Fails(S3Errors.MalformedXml, action);
}
