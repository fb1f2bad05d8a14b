namespace Tcd.Models.Tests.Interop;

/// <summary>
/// A fact that needs a generated fixture folder under <c>Interop/Fixtures</c> (copied next to the test assembly);
/// it is skipped, saying how to create the folder, while <c>expected.safetensors</c> is absent.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FixtureFactAttribute : FactAttribute
{
    public FixtureFactAttribute(string fixture)
    {
        if (!File.Exists(Path.Combine(Folder(fixture), "expected.safetensors")))
        {
            Skip = $"Fixture '{fixture}' is absent (generating it needs Python torch + transformers): see " +
                   "tests/Tcd.Models.Tests/Interop/Fixtures/README.md, then rebuild the tests.";
        }
    }

    /// <summary>Where the fixture folder <paramref name="fixture"/> is at test time.</summary>
    public static string Folder(string fixture) => Path.Combine(AppContext.BaseDirectory, "Interop", "Fixtures", fixture);
}
