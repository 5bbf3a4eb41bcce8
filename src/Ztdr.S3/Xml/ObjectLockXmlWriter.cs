using System.Globalization;
using System.Xml;

namespace Ztdr.S3.Xml;

/// <summary>Writes ObjectLockConfiguration, Retention and LegalHold exactly as GetObjectLockConfiguration, GetObjectRetention and GetObjectLegalHold return them.</summary>
public static class ObjectLockXmlWriter
{
    public static byte[] ToBytes(ObjectLockConfiguration value) => XmlOutput.ToBytes(value, WriteBody);

    public static void Write(Stream stream, ObjectLockConfiguration value) => XmlOutput.Write(stream, value, WriteBody);

    public static byte[] ToBytes(ObjectLockRetention value) => XmlOutput.ToBytes(value, WriteBody);

    public static void Write(Stream stream, ObjectLockRetention value) => XmlOutput.Write(stream, value, WriteBody);

    public static byte[] ToBytes(ObjectLockLegalHold value) => XmlOutput.ToBytes(value, WriteBody);

    public static void Write(Stream stream, ObjectLockLegalHold value) => XmlOutput.Write(stream, value, WriteBody);

    internal static string ToWire(ObjectLockMode mode) => mode == ObjectLockMode.Compliance ? "COMPLIANCE" : "GOVERNANCE";

    internal static string ToWire(LegalHoldStatus status) => status == LegalHoldStatus.On ? "ON" : "OFF";

    private static void WriteBody(XmlWriter writer, ObjectLockConfiguration value)
    {
        writer.StartRoot("ObjectLockConfiguration");
        writer.Element("ObjectLockEnabled", "Enabled");
        // No Rule element at all without a default: s3-tests compare the returned dict, and Veeam expects none.
        if (value.DefaultRetention is { } retention)
        {
            writer.WriteStartElement("Rule");
            writer.WriteStartElement("DefaultRetention");
            writer.Element("Mode", ToWire(retention.Mode));
            if (retention.Days is { } days)
            {
                writer.Element("Days", days.ToString(CultureInfo.InvariantCulture));
            }

            if (retention.Years is { } years)
            {
                writer.Element("Years", years.ToString(CultureInfo.InvariantCulture));
            }

            writer.WriteFullEndElement();
            writer.WriteFullEndElement();
        }

        writer.WriteFullEndElement();
    }

    private static void WriteBody(XmlWriter writer, ObjectLockRetention value)
    {
        writer.StartRoot("Retention");
        if (value.Mode is { } mode)
        {
            writer.Element("Mode", ToWire(mode));
        }

        if (value.RetainUntilDate is { } until)
        {
            writer.Timestamp("RetainUntilDate", until);
        }

        writer.WriteFullEndElement();
    }

    private static void WriteBody(XmlWriter writer, ObjectLockLegalHold value)
    {
        writer.StartRoot("LegalHold");
        writer.Element("Status", ToWire(value.Status));
        writer.WriteFullEndElement();
    }
}
