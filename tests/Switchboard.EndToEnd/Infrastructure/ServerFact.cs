using Xunit.Sdk;

namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>
/// A test of a server under test, written once in an abstract base class and run by each derived class (one per
/// server). Unlike <see cref="FactAttribute.Skip"/>, which would skip the test for every server, the tests of one
/// server can be skipped all at once with <see cref="ServerNotReadyAttribute"/> on its fixture, or one by one with
/// <see cref="KnownServerDefectAttribute"/> on a derived class.
/// </summary>
[XunitTestCaseDiscoverer("Switchboard.EndToEnd.Infrastructure.ServerFactDiscoverer", "Switchboard.EndToEnd")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class ServerFactAttribute : FactAttribute;

/// <summary>
/// On a server fixture (or a test class): every <see cref="ServerFactAttribute"/> test of the classes that use it is
/// reported as skipped with this reason, and the server is never started.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ServerNotReadyAttribute(string reason) : Attribute
{
    public string Reason { get; } = reason;
}

/// <summary>On a test class: the named inherited test is reported as skipped, because the server has this known defect.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class KnownServerDefectAttribute(string testMethod, string reason) : Attribute
{
    public string TestMethod { get; } = testMethod;

    public string Reason { get; } = reason;
}

/// <summary>Finds <see cref="ServerFactAttribute"/> tests and applies the class's skip attributes to them.</summary>
public sealed class ServerFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var testClass = testMethod.TestClass.Class;
        var skip = NotReadyReason(testClass);

        foreach (var defect in testClass.GetCustomAttributes(typeof(KnownServerDefectAttribute)))
        {
            var arguments = defect.GetConstructorArguments().ToArray();
            if (skip is null && arguments.Length == 2 && Equals(arguments[0], testMethod.Method.Name))
            {
                skip = arguments[1] as string;
            }
        }

        yield return new ServerTestCase(
            diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, skip);
    }

    // [ServerNotReady] on the test class itself, or on one of its class fixtures (the server fixture).
    private static string? NotReadyReason(ITypeInfo testClass)
    {
        foreach (var notReady in testClass.GetCustomAttributes(typeof(ServerNotReadyAttribute)))
        {
            return notReady.GetConstructorArguments().FirstOrDefault() as string;
        }

        if (testClass is IReflectionTypeInfo reflected)
        {
            foreach (var contract in reflected.Type.GetInterfaces())
            {
                if (contract.IsGenericType && contract.GetGenericTypeDefinition() == typeof(IClassFixture<>)
                    && contract.GetGenericArguments()[0].GetCustomAttributes(typeof(ServerNotReadyAttribute), inherit: true) is [ServerNotReadyAttribute fixtureNotReady, ..])
                {
                    return fixtureNotReady.Reason;
                }
            }
        }

        return null;
    }
}

/// <summary>A test case whose skip reason comes from its class rather than from its attribute.</summary>
public sealed class ServerTestCase : XunitTestCase
{
    private string? skipReason;

    [Obsolete("For the deserializer only.")]
    public ServerTestCase()
    {
    }

    public ServerTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay methodDisplay, TestMethodDisplayOptions methodDisplayOptions, ITestMethod testMethod, string? skipReason)
        : base(diagnosticMessageSink, methodDisplay, methodDisplayOptions, testMethod)
    {
        this.skipReason = skipReason;
    }

    public override void Serialize(IXunitSerializationInfo data)
    {
        data.AddValue("ServerSkipReason", skipReason);
        base.Serialize(data);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        skipReason = data.GetValue<string>("ServerSkipReason");
        base.Deserialize(data);
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) => skipReason ?? base.GetSkipReason(factAttribute);
}
