using Tcd.Models.Modeling;

namespace Tcd.Cli.Tests;

public sealed class ExportHfTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Export_into_a_folder_that_is_no_earlier_export_is_refused_and_leaves_it_alone()
    {
        var model = SaveTinyModel();
        var notes = temp.Write("out/notes.txt", "mine");

        var (exitCode, _, error) = Cli.Run("export-hf", "--model", model, "--out", temp.File("out"));

        exitCode.Should().Be(1);
        error.Should().StartWith($"tcd export-hf: error: --out: '{temp.File("out")}' is not empty and is no earlier export").And.NotContain("   at ");
        Directory.GetFiles(temp.File("out")).Should().Equal(notes);
    }

    [Fact]
    public void Export_over_an_earlier_export_removes_the_checkpoint_files_it_does_not_write_and_keeps_others()
    {
        var model = SaveTinyModel();
        Cli.Run("export-hf", "--model", model, "--out", temp.File("hf")).ExitCode.Should().Be(0);
        temp.Write("hf/pytorch_model.bin", "stale weights");
        temp.Write("hf/tokenizer.json", "{}");
        var readme = temp.Write("hf/README.md", "model card");

        var (exitCode, _, error) = Cli.Run("export-hf", "--model", model, "--out", temp.File("hf"), "--no-tokenizer");

        error.Should().BeEmpty();
        exitCode.Should().Be(0);
        Directory.GetFiles(temp.File("hf")).Select(Path.GetFileName).Should().BeEquivalentTo(["config.json", "model.safetensors", "README.md"]);
        File.ReadAllText(readme).Should().Be("model card");
    }

    private string SaveTinyModel()
    {
        var folder = temp.File("model");
        using var model = new BertForMaskedLm(BertConfig.Tiny);
        BertModelStore.Save(model, model.Config, folder);
        return folder;
    }
}
