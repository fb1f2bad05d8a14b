using System.Text.Json.Nodes;
using Tcd.Models.Data;
using Tcd.Models.Interop;
using Tcd.Models.Modeling;

namespace Tcd.Cli.Tests;

public sealed class ImportHfTests : IDisposable
{
    /// <summary>A cased WordPiece vocabulary: "Paris and London" is 5 6 7 cased, 8 6 9 lower-cased.</summary>
    private static readonly string[] CasedVocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Paris", "and", "London", "paris", "london", "the", "."];

    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_cased_checkpoint_keeps_its_vocabulary_and_casing_through_import_and_export()
    {
        var checkpoint = WriteCasedCheckpoint("hf");

        var imported = Cli.Run("import-hf", "--from", checkpoint, "--out", temp.File("model"));
        var exported = Cli.Run("export-hf", "--model", temp.File("model"), "--out", temp.File("hf-again"));

        imported.Error.Should().BeEmpty();
        imported.Output.Should().Contain($"tokenizer: vocab.txt ({CasedVocabulary.Length} tokens), cased");
        BertTextEncoder.ForModelFolder(temp.File("model")).Encode("Paris and London").InputIds.Should().Equal(2, 5, 6, 7, 3);
        exported.Error.Should().BeEmpty();
        File.ReadAllLines(temp.File("hf-again", "vocab.txt")).Should().Equal(CasedVocabulary);
        var tokenizer = JsonNode.Parse(File.ReadAllText(temp.File("hf-again", "tokenizer_config.json")))!;
        tokenizer["do_lower_case"]!.GetValue<bool>().Should().BeFalse();
        tokenizer["strip_accents"]!.GetValue<bool>().Should().BeFalse();
        BertTextEncoder.ForModelFolder(temp.File("hf-again")).Encode("Paris and London").InputIds.Should().Equal(2, 5, 6, 7, 3);
    }

    [Fact]
    public void A_checkpoint_without_a_vocabulary_imported_over_an_earlier_import_leaves_none_of_its_tokenizer_behind()
    {
        Cli.Run("import-hf", "--from", WriteCasedCheckpoint("cased"), "--out", temp.File("model")).ExitCode.Should().Be(0);
        using (var uncased = new BertForMaskedLm(BertConfig.Tiny))
        {
            HuggingFaceExporter.Save(uncased, temp.File("bare"), new HuggingFaceExportOptions { IncludeTokenizer = false });
        }

        var (exitCode, output, error) = Cli.Run("import-hf", "--from", temp.File("bare"), "--out", temp.File("model"));

        error.Should().BeEmpty();
        exitCode.Should().Be(0);
        output.Should().Contain($"note: {temp.File("bare")} has no vocab.txt, so the model gets the built-in BERT uncased vocabulary");
        File.Exists(temp.File("model", "vocab.txt")).Should().BeFalse();
        File.Exists(temp.File("model", "tokenizer_config.json")).Should().BeFalse();
    }

    [Theory]
    [InlineData("hf")]
    [InlineData("hf/model")]
    [InlineData(".")]
    public void Importing_into_the_checkpoint_folder_or_one_nested_with_it_is_refused_before_writing(string output)
    {
        var checkpoint = WriteCasedCheckpoint("hf");
        var before = FolderContents.Of(checkpoint);

        var (exitCode, _, error) = Cli.Run("import-hf", "--from", checkpoint, "--out", temp.File(output));

        exitCode.Should().Be(1);
        error.Should().StartWith($"tcd import-hf: error: --out: '{temp.File(output)}' ")
            .And.Contain("the import would overwrite the checkpoint it reads. Give --out a folder of its own, outside the checkpoint.")
            .And.NotContain("   at ");
        FolderContents.Of(checkpoint).Should().BeEquivalentTo(before, "nothing was written");
        Directory.Exists(temp.File("hf", "model")).Should().BeFalse();
    }

    [Fact]
    public void Importing_over_a_saved_model_that_is_no_earlier_import_is_refused_before_writing()
    {
        var trained = temp.File("run", "model");
        using (var model = new BertForMaskedLm(BertConfig.Tiny))
        {
            BertModelStore.Save(model, model.Config, trained);
        }

        var before = FolderContents.HashOf(Path.Combine(trained, BertModelStore.WeightsFileName));

        var (exitCode, _, error) = Cli.Run("import-hf", "--from", WriteCasedCheckpoint("hf"), "--out", trained);

        exitCode.Should().Be(1);
        error.Should().Contain($"--out: '{trained}' holds a saved model that no 'tcd import-hf' wrote").And.Contain("choose a new or empty folder for --out");
        FolderContents.HashOf(Path.Combine(trained, BertModelStore.WeightsFileName)).Should().Be(before);
    }

    [Fact]
    public void A_tcd_run_folder_given_as_the_checkpoint_is_named_as_one_that_needs_no_import()
    {
        using (var model = new BertForMaskedLm(BertConfig.Tiny))
        {
            BertModelStore.Save(model, model.Config, temp.File("run", "model"));
        }

        var (exitCode, output, error) = Cli.Run("import-hf", "--from", temp.File("run"), "--out", temp.File("imported"));

        exitCode.Should().Be(1);
        output.Should().BeEmpty();
        error.Should().StartWith($"tcd import-hf: error: --from: '{temp.File("run")}' is a tcd run folder, not a Hugging Face checkpoint; its model ('{temp.File("run", "model")}') needs no import");
        Directory.Exists(temp.File("imported")).Should().BeFalse();
    }

    [Fact]
    public void An_import_stopped_after_writing_the_weights_can_be_made_again()
    {
        var checkpoint = WriteCasedCheckpoint("hf");
        // A folder where labels.json goes stops the import after the weights, as a process killed then would.
        Directory.CreateDirectory(temp.File("model", ClassNamesFile.FileName));

        var stopped = Cli.Run("import-hf", "--from", checkpoint, "--out", temp.File("model"));

        stopped.ExitCode.Should().NotBe(0);
        File.Exists(temp.File("model", BertModelStore.WeightsFileName)).Should().BeTrue();
        Directory.Delete(temp.File("model", ClassNamesFile.FileName));
        var again = Cli.Run("import-hf", "--from", checkpoint, "--out", temp.File("model"));

        again.ExitCode.Should().Be(0, again.Error);
        again.Output.Should().Contain($"saved to {temp.File("model")}");
    }

    [Fact]
    public void An_import_cancelled_before_it_reads_the_checkpoint_leaves_no_folder()
    {
        var (exitCode, output, error) = Cli.Run(new CancellationToken(canceled: true), "import-hf", "--from", WriteCasedCheckpoint("hf"), "--out", temp.File("new", "model"));

        error.Should().BeEmpty();
        exitCode.Should().Be(130);
        output.Should().Be($"tcd import-hf: cancelled; nothing was written.{Environment.NewLine}");
        Directory.Exists(temp.File("new")).Should().BeFalse();
    }

    [Fact]
    public void An_import_stopped_while_it_writes_over_an_earlier_import_leaves_that_one_whole()
    {
        Cli.Run("import-hf", "--from", WriteCasedCheckpoint("cased"), "--out", temp.File("model")).ExitCode.Should().Be(0);
        var before = FolderContents.Of(temp.File("model"));
        using (var classifier = new BertForSequenceClassification(BertConfig.Tiny, numLabels: 3))
        {
            HuggingFaceExporter.Save(classifier, temp.File("classifier"), new HuggingFaceExportOptions { IncludeTokenizer = false, LabelNames = ["a", "b", "c"] });
        }

        var stopped = Cli.RunUntil("; writing ", "import-hf", "--from", temp.File("classifier"), "--out", temp.File("model"));

        stopped.Error.Should().BeEmpty();
        stopped.ExitCode.Should().Be(130);
        stopped.Output.Should().EndWith($"tcd import-hf: cancelled; nothing was written.{Environment.NewLine}").And.NotContain("saved to");
        FolderContents.Of(temp.File("model")).Should().BeEquivalentTo(before);
        Directory.EnumerateFileSystemEntries(temp.Path).Should().NotContain(entry => Path.GetFileName(entry).StartsWith(".tmp-"), "the files written meanwhile are removed");
    }

    [Fact]
    public void The_temporary_folder_of_an_import_killed_before_it_moved_its_files_in_goes_with_the_next_import()
    {
        var abandoned = temp.File($".tmp-model-{Guid.NewGuid():N}");
        Directory.CreateDirectory(abandoned);
        File.WriteAllText(Path.Combine(abandoned, BertModelStore.WeightsFileName), "half written");
        var otherOutputs = temp.File($".tmp-models-{Guid.NewGuid():N}");
        Directory.CreateDirectory(otherOutputs);

        var imported = Cli.Run("import-hf", "--from", WriteCasedCheckpoint("cased"), "--out", temp.File("model"));

        imported.ExitCode.Should().Be(0, imported.Error);
        Directory.Exists(abandoned).Should().BeFalse();
        Directory.Exists(otherOutputs).Should().BeTrue("it is another output's");
    }

    [Fact]
    public void Eval_of_an_older_checkpoint_without_model_type_says_to_import_it_first()
    {
        var checkpoint = WriteCasedCheckpoint("google");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, "config.json")))!.AsObject();
        config.Remove("model_type");
        config.Remove("architectures");
        File.WriteAllText(Path.Combine(checkpoint, "config.json"), config.ToJsonString());
        var corpus = temp.Write("corpus.txt", "Paris and London.");

        var (exitCode, _, error) = Cli.Run("eval", "--model", checkpoint, "--corpus", corpus, "--seq-length", "32", "--device", "cpu", "--threads", "1");

        exitCode.Should().Be(1);
        error.Should().Contain($"'{checkpoint}' holds a Hugging Face checkpoint").And.Contain($"tcd import-hf --from {checkpoint} --out <folder>");
    }

    [Fact]
    public void A_token_classifier_is_refused_whole_but_its_encoder_imports_under_a_new_head_that_finetune_takes()
    {
        using var tagger = new BertForSequenceClassification(BertConfig.Tiny, numLabels: 5);
        var checkpoint = temp.File("ner");
        HuggingFaceExporter.Save(tagger, checkpoint);
        // A token classifier's tensors are a sequence classifier's without the pooler; its class name is what tells them apart.
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, "config.json")))!.AsObject();
        config["architectures"] = new JsonArray("BertForTokenClassification");
        File.WriteAllText(Path.Combine(checkpoint, "config.json"), config.ToJsonString());

        var whole = Cli.Run("import-hf", "--from", checkpoint, "--out", temp.File("whole"));
        var encoder = Cli.Run("import-hf", "--from", checkpoint, "--out", temp.File("encoder"), "--encoder-only");

        whole.ExitCode.Should().Be(1);
        whole.Error.Should().Contain("\"BertForTokenClassification\"").And.Contain("tcd import-hf --encoder-only");
        encoder.Error.Should().BeEmpty();
        encoder.Output.Should().Contain($"the encoder of BertForSequenceClassification from {checkpoint}, under a new masked-LM head, saved to {temp.File("encoder")}")
            .And.Contain("note: Ignored classifier.bias, classifier.weight: the checkpoint's heads, replaced by a new masked-LM head.");
        using (var imported = BertModelStore.LoadMaskedLm(temp.File("encoder")))
        {
            var expected = tagger.Bert.state_dict();
            foreach (var (name, value) in imported.Bert.state_dict())
            {
                value.eq(expected[name]).all().item<bool>().Should().BeTrue(name);
            }
        }

        var rows = Enumerable.Range(0, 8).Select(i => $"a {(i % 2 == 0 ? "good" : "bad")} film {i}\t{i % 2}");
        var train = temp.Write("SST-2/train.tsv", string.Join("\n", ["sentence\tlabel", .. rows]) + "\n");
        var tuned = Cli.Run("finetune", "--model", temp.File("encoder"), "--task", "SST-2", "--data", train, "--out", temp.File("ft"), "--epochs", "1",
            "--seq-length", "16", "--device", "cpu", "--threads", "1");
        tuned.Error.Should().BeEmpty();
        tuned.ExitCode.Should().Be(0);
    }

    [Fact]
    public void A_headless_encoder_imports_as_it_is_with_a_note_on_what_reads_it()
    {
        using var model = new BertForMaskedLm(BertConfig.Tiny);
        HuggingFaceExporter.Save(model.Bert, temp.File("encoder-hf"));

        var (exitCode, output, error) = Cli.Run("import-hf", "--from", temp.File("encoder-hf"), "--out", temp.File("encoder"));

        error.Should().BeEmpty();
        exitCode.Should().Be(0);
        output.Should().Contain($"note: the model has no head, so only export-hf reads {temp.File("encoder")}").And.Contain("import it again with --encoder-only");
        BertModelStore.KindOf(temp.File("encoder")).Should().Be(SavedModelKind.Encoder);
    }

    [Fact]
    public void An_imported_checkpoint_in_the_layout_of_the_published_BERT_miniatures_teaches_a_distilled_student()
    {
        // Google's BERT miniatures have an older config.json: no model_type, no architectures.
        var checkpoint = WriteCasedCheckpoint("bert-mini");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, "config.json")))!.AsObject();
        config.Remove("model_type");
        config.Remove("architectures");
        File.WriteAllText(Path.Combine(checkpoint, "config.json"), config.ToJsonString());
        var corpus = temp.Write("corpus.txt", string.Join("\n\n", Enumerable.Range(0, 30).Select(i => i % 2 == 0 ? "Paris and London." : "the London and the Paris.")));

        var imported = Cli.Run("import-hf", "--from", checkpoint, "--out", temp.File("teacher"));
        var distilled = Cli.Run("distill", "--teacher", temp.File("teacher"), "--corpus", corpus, "--out", temp.File("student"), "--experts", "2", "--steps", "1",
            "--batch-size", "4", "--seq-length", "32", "--device", "cpu", "--threads", "1");

        imported.Error.Should().BeEmpty();
        imported.ExitCode.Should().Be(0);
        distilled.Error.Should().BeEmpty();
        distilled.ExitCode.Should().Be(0);
        BertModelStore.LoadConfig(temp.File("student", "model")).Should().Be((BertConfig.Tiny with { VocabSize = CasedVocabulary.Length }).WithExperts(2),
            "the student takes the teacher's shape and vocabulary size");
        BertTextEncoder.ForModelFolder(temp.File("student", "model")).Encode("Paris and London").InputIds.Should().Equal(
            [2, 5, 6, 7, 3], "the student tokenises with the teacher's cased vocabulary");
    }

    /// <summary>A tiny Hugging Face masked LM whose tokenizer is <see cref="CasedVocabulary"/> with <c>do_lower_case: false</c>.</summary>
    private string WriteCasedCheckpoint(string name)
    {
        var vocabulary = temp.Write(name + "-vocab.txt", string.Join('\n', CasedVocabulary) + "\n");
        var tokenizer = BertTextEncoder.FromVocabularyFile(vocabulary, BertTokenizerSettings.Cased);
        using var model = new BertForMaskedLm(BertConfig.Tiny with { VocabSize = CasedVocabulary.Length });
        HuggingFaceExporter.Save(model, temp.File(name), new HuggingFaceExportOptions { Tokenizer = tokenizer });
        return temp.File(name);
    }
}
