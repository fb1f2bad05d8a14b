// Checks the library packages in a folder feed as nuget.org and a user's restore see them: id and version, the
// metadata issue 7 asks for (description, MIT licence expression, package README inside the package, tags, release
// notes), a symbols package beside each, the XML docs beside each assembly, and no native TorchSharp backend among
// the dependencies (applications pick TorchSharp-cpu or a CUDA package themselves).
// Usage: dotnet run scripts/check-packages.cs -- <feed folder> <version> <package id>...   (scripts/package-check.sh runs it)
using System.IO.Compression;
using System.Xml.Linq;

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: dotnet run scripts/check-packages.cs -- <feed folder> <version> <package id>...");
    return 2;
}

var (folder, version) = (args[0], args[1]);
var problems = new List<string>();
foreach (var id in args[2..])
{
    problems.AddRange(PackageProblems(folder, id, version).Select(problem => $"{id} {version}: {problem}"));
}

foreach (var problem in problems)
{
    Console.Error.WriteLine($"package check: {problem}");
}

Console.WriteLine(problems.Count == 0
    ? $"package check: {string.Join(", ", args[2..])} carry their metadata, README, XML docs and symbols, and no native backend"
    : $"package check: {problems.Count} problem(s)");
return problems.Count == 0 ? 0 : 1;

static IEnumerable<string> PackageProblems(string folder, string id, string version)
{
    var package = Path.Combine(folder, $"{id}.{version}.nupkg");
    if (!File.Exists(package))
    {
        yield return $"{package} is missing";
        yield break;
    }

    if (!File.Exists(Path.ChangeExtension(package, ".snupkg")))
    {
        yield return $"no symbols package {Path.GetFileName(Path.ChangeExtension(package, ".snupkg"))} beside it";
    }

    using var zip = ZipFile.OpenRead(package);
    var files = zip.Entries.Select(entry => entry.FullName).ToHashSet(StringComparer.Ordinal);
    XElement nuspec;
    using (var stream = zip.GetEntry($"{id}.nuspec")?.Open())
    {
        if (stream is null)
        {
            yield return $"no {id}.nuspec inside";
            yield break;
        }

        nuspec = XDocument.Load(stream).Root!;
    }

    var ns = nuspec.Name.Namespace;
    var metadata = nuspec.Element(ns + "metadata")!;
    string Text(string name) => metadata.Element(ns + name)?.Value.Trim() ?? string.Empty;

    if (Text("id") != id)
    {
        yield return $"the nuspec's id is '{Text("id")}'";
    }

    if (Text("version") != version)
    {
        yield return $"the nuspec's version is '{Text("version")}'";
    }

    foreach (var name in new[] { "description", "tags", "releaseNotes" })
    {
        if (Text(name).Length == 0)
        {
            yield return $"no {name}";
        }
    }

    if (metadata.Element(ns + "license") is not { } license || (string?)license.Attribute("type") != "expression" || license.Value != "MIT")
    {
        yield return "no MIT licence expression";
    }

    if (Text("readme") is not { Length: > 0 } readme || !files.Contains(readme))
    {
        yield return "no package README (a <readme> naming a file inside the package)";
    }

    var assemblies = files.Where(file => file.StartsWith("lib/", StringComparison.Ordinal) && file.EndsWith(".dll", StringComparison.Ordinal)).ToList();
    if (assemblies.Count == 0)
    {
        yield return "no assembly under lib/";
    }

    foreach (var assembly in assemblies.Where(assembly => !files.Contains(Path.ChangeExtension(assembly, ".xml"))))
    {
        yield return $"no XML docs beside {assembly}";
    }

    var backends = metadata.Descendants(ns + "dependency").Select(dependency => (string?)dependency.Attribute("id") ?? string.Empty)
        .Where(dependency => dependency.StartsWith("TorchSharp-", StringComparison.OrdinalIgnoreCase) || dependency.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase))
        .ToList();
    if (backends.Count > 0)
    {
        yield return $"depends on the native backend {string.Join(", ", backends)}; libraries reference the managed TorchSharp package only";
    }
}
