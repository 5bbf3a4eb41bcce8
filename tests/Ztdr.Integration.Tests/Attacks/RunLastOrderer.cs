using Xunit.Abstractions;
using Xunit.Sdk;

namespace Ztdr.Integration.Tests.Attacks;

/// <summary>Marks the test that checks what the whole class did (the audit chain): it runs after every other one.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RunLastAttribute : Attribute
{
}

/// <summary>
/// Keeps xunit's order within a class but moves <see cref="RunLastAttribute"/> tests to the end. The tests of one class
/// run one after another, so the last one sees every attempt the others made.
/// </summary>
public sealed class RunLastOrderer : ITestCaseOrderer
{
    public const string TypeName = "Ztdr.Integration.Tests.Attacks.RunLastOrderer";
    public const string AssemblyName = "Ztdr.Integration.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase
    {
        var cases = testCases.ToList();
        return cases.Where(c => !IsLast(c)).Concat(cases.Where(c => IsLast(c)));
    }

    private static bool IsLast(ITestCase testCase) =>
        testCase.TestMethod.Method.GetCustomAttributes(typeof(RunLastAttribute).AssemblyQualifiedName).Any();
}
