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

    /// <summary>The <c>&lt;member&gt;</c> element documenting <paramref name="property"/>; null when it has none.</summary>
    public static XElement? Of(PropertyInfo property)
    {
        var declaringType = property.DeclaringType ?? throw new ArgumentException($"{property.Name} has no declaring type.", nameof(property));
        var members = MembersByLibrary.GetOrAdd(declaringType.Assembly, Load);
        return members.GetValueOrDefault($"P:{declaringType.FullName!.Replace('+', '.')}.{property.Name}");
    }

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
