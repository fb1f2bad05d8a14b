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

    [Fact]
    public void An_export_cancelled_before_it_reads_the_model_leaves_no_folder()
    {
        var (exitCode, output, error) = Cli.Run(new CancellationToken(canceled: true), "export-hf", "--model", SaveTinyModel(), "--out", temp.File("new", "hf"));

        error.Should().BeEmpty();
        exitCode.Should().Be(130);
        output.Should().Be($"tcd export-hf: cancelled; nothing was written.{Environment.NewLine}");
        Directory.Exists(temp.File("new")).Should().BeFalse();
    }

    [Fact]
    public void An_export_stopped_while_it_writes_over_an_earlier_export_leaves_that_one_whole()
    {
        var model = SaveTinyModel();
        Cli.Run("export-hf", "--model", model, "--out", temp.File("hf"), "--no-tokenizer").ExitCode.Should().Be(0);
        var before = FolderContents.Of(temp.File("hf"));

        var stopped = Cli.RunUntil("exporting masked LM", "export-hf", "--model", model, "--out", temp.File("hf"));

        stopped.Error.Should().BeEmpty();
        stopped.ExitCode.Should().Be(130);
        stopped.Output.Should().EndWith($"tcd export-hf: cancelled; nothing was written.{Environment.NewLine}").And.NotContain("exported to");
        FolderContents.Of(temp.File("hf")).Should().BeEquivalentTo(before, "the stopped export would have added the tokenizer files");
        Directory.EnumerateFileSystemEntries(temp.Path).Select(Path.GetFileName).Should().BeEquivalentTo(["model", "hf"], "the files written meanwhile are removed");
    }

    [Fact]
    public void A_bare_encoder_exports_as_a_bert_model_that_import_hf_brings_back_as_a_bare_encoder()
    {
        var encoder = temp.File("encoder");
        using (var model = new BertForMaskedLm(BertConfig.Tiny))
        {
            BertModelStore.Save(model.Bert, model.Config, encoder);
        }

        var (exitCode, output, error) = Cli.Run("export-hf", "--model", encoder, "--out", temp.File("hf"));

        error.Should().BeEmpty();
        exitCode.Should().Be(0);
        output.Should().Contain($"tcd export-hf: encoder {encoder} exported to {temp.File("hf")}");
        System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(temp.File("hf", "config.json")))!["architectures"]![0]!.GetValue<string>().Should().Be("BertModel");
        SafeTensorsFile.ReadHeader(temp.File("hf", "model.safetensors")).Should().NotContain(tensor => tensor.Name.StartsWith("cls.", StringComparison.Ordinal), "an encoder has no head");
        Cli.Run("import-hf", "--from", temp.File("hf"), "--out", temp.File("back")).ExitCode.Should().Be(0);
        BertModelStore.KindOf(temp.File("back")).Should().Be(SavedModelKind.Encoder);
    }

    [Fact]
    public void A_vocabulary_that_does_not_fit_the_model_is_refused_with_no_tokenizer_as_the_way_out()
    {
        var model = SaveTinyModel(BertConfig.Tiny with { VocabSize = 100 });

        var refused = Cli.Run("export-hf", "--model", model, "--out", temp.File("hf"));
        var weightsAlone = Cli.Run("export-hf", "--model", model, "--out", temp.File("hf"), "--no-tokenizer");

        refused.ExitCode.Should().Be(1);
        refused.Error.Should().Be(
            $"tcd export-hf: error: --model: The model in '{model}' has 100 tokens (vocab_size) but no vocab.txt, so the built-in 30522-token BERT uncased " +
            $"vocabulary does not fit it. Put the model's own vocab.txt beside it. Or pass --no-tokenizer to export the weights without a tokenizer.{Environment.NewLine}");
        weightsAlone.ExitCode.Should().Be(0);
        Directory.GetFiles(temp.File("hf")).Select(Path.GetFileName).Should().BeEquivalentTo(["config.json", "model.safetensors"]);
    }

    private string SaveTinyModel(BertConfig? config = null)
    {
        var folder = temp.File("model");
        using var model = new BertForMaskedLm(config ?? BertConfig.Tiny);
        BertModelStore.Save(model, model.Config, folder);
        return folder;
    }
}
