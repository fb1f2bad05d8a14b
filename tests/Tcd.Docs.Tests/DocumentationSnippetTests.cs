namespace Tcd.Docs.Tests;

/// <summary>Every C# block a user can copy from the documentation compiles against the current libraries.</summary>
public class DocumentationSnippetTests
{
    public static TheoryData<string> Locations => new(DocumentationSnippet.All.Select(snippet => snippet.Location));

    [Theory]
    [MemberData(nameof(Locations))]
    public void Snippet_compiles_as_a_console_program(string location)
    {
        var snippet = DocumentationSnippet.All.Single(s => s.Location == location);

        string.Join('\n', SnippetCompiler.Errors(snippet.Code)).Should().BeEmpty($"the C# block at {location} should compile as a new console app's Program.cs");
    }

    [Fact]
    public void The_readme_and_every_package_page_have_snippets()
    {
        var files = DocumentationSnippet.All.Select(snippet => snippet.Location[..snippet.Location.LastIndexOf(':')]).Distinct().ToList();

        files.Should().Contain(["README.md", "docs/huggingface-interop.md", "docs/mlnet.md", "src/Tcd.MLNet/PACKAGE.md", "src/Tcd.Models/PACKAGE.md"]);
    }

    [Fact]
    public void A_snippet_with_an_undeclared_name_or_a_missing_using_fails()
    {
        SnippetCompiler.Errors("var total = undeclared + 1;").Should().ContainSingle().Which.Should().StartWith("line 1: CS0103");
        SnippetCompiler.Errors("var model = new BertForMaskedLm(BertConfig.Tiny);").Should().Contain(error => error.Contains("CS0246"));
        SnippetCompiler.Errors("using Tcd.Models.Modeling;\nusing var model = new BertForMaskedLm(BertConfig.Tiny);\nConsole.WriteLine(model.Config.HiddenSize);")
            .Should().BeEmpty();
    }

    [Fact]
    public void Parse_reports_the_line_of_each_opening_fence_and_ignores_other_languages()
    {
        const string markdown = "# Title\n\n```bash\nls\n```\n\n```csharp\nvar a = 1;\nvar b = 2;\n```\ntext\n```csharp\nConsole.WriteLine();\n```\n";

        var snippets = DocumentationSnippet.Parse("x.md", markdown).ToList();

        snippets.Should().Equal(
            new DocumentationSnippet("x.md:7", "var a = 1;\nvar b = 2;\n"),
            new DocumentationSnippet("x.md:12", "Console.WriteLine();\n"));
    }

    [Fact]
    public void Parse_refuses_a_block_that_is_never_closed()
    {
        var parse = () => DocumentationSnippet.Parse("x.md", "```csharp\nvar a = 1;\n").ToList();

        parse.Should().Throw<InvalidDataException>().WithMessage("x.md:1: the C# block is never closed.");
    }
}
