using System.Collections.Concurrent;
using System.Reflection;
using System.Xml.Linq;

namespace Tcd.Docs.Tests;

/// <summary>
/// The XML documentation files the compiler writes beside each library (<c>GenerateDocumentationFile</c> under
/// <c>src/</c>), copied next to the test assembly with the libraries they document.
/// </summary>
internal static class XmlDocumentation
{
    private static readonly ConcurrentDictionary<Assembly, IReadOnlyDictionary<string, XElement>> MembersByLibrary = new();

    /// <summary>The <c>summary</c>, <c>value</c> and <c>remarks</c> of <paramref name="property"/>; none when it is undocumented.</summary>
    public static IReadOnlyList<XElement> Of(PropertyInfo property)
    {
        var declaringType = DeclaringType(property);
        var member = MembersOf(declaringType.Assembly).GetValueOrDefault($"P:{DocumentationName(declaringType)}.{property.Name}");
        return member?.Elements().Where(part => part.Name.LocalName is "summary" or "value" or "remarks").ToList() ?? [];
    }

    /// <summary>
    /// The <c>&lt;param&gt;</c> element of <paramref name="parameter"/>; null when it has none. The method is told from
    /// its overloads by its parameter names, which the documentation lists in order.
    /// </summary>
    public static XElement? Of(ParameterInfo parameter)
    {
        var method = parameter.Member as MethodBase ?? throw new ArgumentException($"{parameter.Name} is not a method's parameter.", nameof(parameter));
        var declaringType = DeclaringType(method);
        var prefix = $"M:{DocumentationName(declaringType)}.{(method.IsConstructor ? "#ctor" : method.Name)}";
        var names = method.GetParameters().Select(each => each.Name).ToList();
        return MembersOf(declaringType.Assembly)
            .Where(member => member.Key == prefix || member.Key.StartsWith(prefix + "(", StringComparison.Ordinal))
            .Select(member => member.Value.Elements("param").ToList())
            .Where(documented => documented.Select(param => (string?)param.Attribute("name")).SequenceEqual(names))
            .Select(documented => documented[parameter.Position])
            .FirstOrDefault();
    }

    private static Type DeclaringType(MemberInfo member) =>
        member.DeclaringType ?? throw new ArgumentException($"{member.Name} has no declaring type.", nameof(member));

    /// <summary>A type's name in documentation IDs: nested types joined by a dot, not a plus.</summary>
    private static string DocumentationName(Type type) => type.FullName!.Replace('+', '.');

    private static IReadOnlyDictionary<string, XElement> MembersOf(Assembly library) => MembersByLibrary.GetOrAdd(library, Load);

    private static IReadOnlyDictionary<string, XElement> Load(Assembly library)
    {
        var path = Path.ChangeExtension(library.Location, ".xml");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"No XML documentation beside {library.Location}; build the library with GenerateDocumentationFile (Directory.Build.props sets it under src/).", path);
        }

        return XDocument.Load(path).Descendants("member")
            .ToDictionary(member => (string)member.Attribute("name")!, StringComparer.Ordinal);
    }
}
