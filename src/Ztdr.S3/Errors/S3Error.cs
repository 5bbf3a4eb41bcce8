namespace Ztdr.S3.Errors;

/// <summary>One entry of S3's error vocabulary: the code clients switch on and the HTTP status that carries it.</summary>
public sealed record S3Error(string Code, int Status, string DefaultMessage);
