using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;

// Deliberately forbidden uses, each hidden in a different place, for the self-tests of TypeReferences:
// a checker that misses one of these would let the same use through in Ztdr.Vault.Locking.
namespace Ztdr.Architecture.Tests.Samples.SignatureOnly
{
    internal static class UsesHttpContextInSignature
    {
        public static bool IsPost(HttpContext context) => context is not null;
    }
}

namespace Ztdr.Architecture.Tests.Samples.BodyOnly
{
    internal static class UsesSqliteOnlyInMethodBody
    {
        public static string Describe() => new SqliteConnectionStringBuilder { DataSource = "x" }.ToString();
    }
}

namespace Ztdr.Architecture.Tests.Samples.LambdaOnly
{
    internal static class UsesSqliteOnlyInLambda
    {
        public static Func<object> Factory() => () => SqliteOpenMode.ReadOnly;
    }
}

namespace Ztdr.Architecture.Tests.Samples.GenericArgumentOnly
{
    internal sealed class UsesHttpContextAsGenericArgument
    {
        private readonly List<IHeaderDictionary> _headers = [];

        public int Count => _headers.Count;
    }
}

namespace Ztdr.Architecture.Tests.Samples.Clean
{
    internal static class UsesOnlyTheBaseLibrary
    {
        public static Func<int, string> Format() => i => i.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
