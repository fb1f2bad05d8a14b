using System.Text.Json.Nodes;
using Tcd.Models.Modeling;

namespace Tcd.Cli.Tests;

public sealed class InfoHuggingFaceTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Info_describes_an_export_of_a_masked_lm_and_counts_the_parameters_of_its_safetensors()
    {
        var hf = Export(SaveMaskedLm(BertConfig.Tiny));

        var text = Cli.Run("info", "--model", hf);
        var json = Cli.Run("info", "--model", hf, "--json");

        text.ExitCode.Should().Be(0, text.Error);
        text.Output.Should().Contain("architecture  BertForMaskedLM" + Environment.NewLine)
            .And.Contain("format        Hugging Face checkpoint (config.json + model.safetensors)")
            .And.Contain("kind          masked-language model" + Environment.NewLine)
            .And.Contain($"import        tcd import-hf --from {hf} --out <dir> makes a tcd masked-language model of it")
            .And.Contain("(the folder's vocab.txt); tokenizer files: vocab.txt, tokenizer_config.json").And.NotContain("import-hf --encoder-only");
        json.ExitCode.Should().Be(0, json.Error);
        var summary = JsonNode.Parse(json.Output)!;
        var header = SafeTensorsFile.ReadHeader(temp.File("hf", "model.safetensors"));
        ((long)summary["parameters"]!).Should().Be(header.Sum(tensor => tensor.Shape.Aggregate(1L, (product, size) => product * size)));
        ((long)summary["active_parameters"]!).Should().Be((long)summary["parameters"]!);
        ((int)summary["tensors"]!).Should().Be(header.Count);
        ((string)summary["format"]!).Should().Be("huggingface");
        ((string)summary["kind"]!).Should().Be("MaskedLanguageModel");
        ((int)summary["layers"]!).Should().Be(BertConfig.Tiny.NumLayers);
        ((int)summary["hidden_size"]!).Should().Be(BertConfig.Tiny.HiddenSize);
        ((int)summary["vocab_size"]!).Should().Be(BertConfig.Tiny.VocabSize);
        ((int)summary["vocabulary_size"]!).Should().Be(BertConfig.Tiny.VocabSize);
        ((string)summary["import_command"]!).Should().Be($"tcd import-hf --from {hf} --out <dir>");
        json.Output.Should().Contain("--out <dir>\"", "the printed JSON shows characters as they are, not as \\u003C escapes");
    }

    [Fact]
    public void Info_counts_the_weights_a_token_uses_in_a_moe_export()
    {
        var hf = Export(SaveMaskedLm(BertConfig.Tiny with { ExpertCount = 4 }));

        var json = Cli.Run("info", "--model", hf, "--json");
        var text = Cli.Run("info", "--model", hf);

        json.ExitCode.Should().Be(0, json.Error);
        var summary = JsonNode.Parse(json.Output)!;
        var header = SafeTensorsFile.ReadHeader(temp.File("hf", "model.safetensors"));
        long Count(SafeTensorInfo tensor) => tensor.Shape.Aggregate(1L, (product, size) => product * size);
        var experts = header.Where(tensor => tensor.Name.Contains(".experts.", StringComparison.Ordinal)).Sum(Count);
        experts.Should().BePositive();
        ((long)summary["parameters"]!).Should().Be(header.Sum(Count));
        ((long)summary["active_parameters"]!).Should().Be(header.Sum(Count) - experts / 4 * 3);
        ((int)summary["experts"]!).Should().Be(4);
        ((string)summary["architecture"]!).Should().Be("TcdMoeBertForMaskedLM");
        text.Output.Should().Contain("4 experts per layer").And.Contain("active per token (one expert of 4 per layer)");
    }

    [Fact]
    public void Info_names_the_classes_of_a_classifier_export()
    {
        var model = temp.File("model");
        using (var classifier = new BertForSequenceClassification(BertConfig.Tiny, 3))
        {
            BertModelStore.Save(classifier, BertConfig.Tiny, model);
        }

        temp.Write("model/labels.json", """["negative", "neutral", "positive"]""");
        var hf = Export(model);

        var text = Cli.Run("info", "--model", hf);
        var json = Cli.Run("info", "--model", hf, "--json");

        text.ExitCode.Should().Be(0, text.Error);
        text.Output.Should().Contain("kind          sequence classifier, 3 classes: negative, neutral, positive (from config.json id2label)")
            .And.Contain("makes a tcd sequence classifier of it");
        var summary = JsonNode.Parse(json.Output)!;
        ((int)summary["outputs"]!).Should().Be(3);
        summary["class_names"]!.AsArray().Select(name => (string)name!).Should().Equal("negative", "neutral", "positive");
        ((string)summary["kind"]!).Should().Be("SequenceClassifier");
    }

    [Fact]
    public void Info_points_a_bert_checkpoint_of_a_head_tcd_does_not_compute_to_the_encoder_only_import()
    {
        var hf = Export(SaveMaskedLm(BertConfig.Tiny));
        var config = JsonNode.Parse(File.ReadAllText(temp.File("hf", "config.json")))!;
        config["architectures"] = new JsonArray("BertForTokenClassification");
        File.WriteAllText(temp.File("hf", "config.json"), config.ToJsonString());

        var text = Cli.Run("info", "--model", hf);

        text.ExitCode.Should().Be(0, text.Error);
        text.Output.Should().Contain("architecture  BertForTokenClassification")
            .And.Contain($"import        tcd import-hf --encoder-only --from {hf} --out <dir> makes a tcd masked-language model of its encoder");
    }

    [Fact]
    public void Info_on_a_pytorch_bin_counts_its_stored_parameters_a_tied_copy_once_and_gives_a_bare_encoder_the_encoder_only_import()
    {
        var hf = Export(SaveMaskedLm(BertConfig.Tiny));
        var fromSafeTensors = JsonNode.Parse(Cli.Run("info", "--model", hf, "--json").Output)!;
        var config = JsonNode.Parse(File.ReadAllText(temp.File("hf", "config.json")))!;
        config["architectures"] = new JsonArray("BertModel");
        File.WriteAllText(temp.File("hf", "config.json"), config.ToJsonString());
        // As transformers' torch.save writes it: the decoder's tied copies saved too, and a saved index buffer.
        var tensors = SafeTensorsFile.Read(temp.File("hf", "model.safetensors"));
        tensors["cls.predictions.decoder.weight"] = tensors["bert.embeddings.word_embeddings.weight"].clone();
        tensors["cls.predictions.decoder.bias"] = tensors["cls.predictions.bias"].clone();
        tensors["bert.embeddings.position_ids"] = TorchSharp.torch.arange(BertConfig.Tiny.MaxPositions).unsqueeze(0);
        TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(temp.File("hf", "pytorch_model.bin"), tensors);
        File.Delete(temp.File("hf", "model.safetensors"));

        var text = Cli.Run("info", "--model", hf);
        var json = Cli.Run("info", "--model", hf, "--json");

        text.ExitCode.Should().Be(0, text.Error);
        text.Output.Should().Contain("format        Hugging Face checkpoint (config.json + pytorch_model.bin)")
            .And.Contain("kind          encoder without a head")
            .And.Contain($"parameters    {Commands.ModelSummary.Millions((long)fromSafeTensors["parameters"]!)} in {(int)fromSafeTensors["tensors"]!} tensors (F32, ")
            .And.Contain("; counted from the tensors stored in pytorch_model.bin, a tied copy (the masked-LM decoder's) once")
            .And.Contain($"import        tcd import-hf --encoder-only --from {hf} --out <dir> gives its encoder a new masked-LM head");
        var summary = JsonNode.Parse(json.Output)!;
        ((long)summary["parameters"]!).Should().Be((long)fromSafeTensors["parameters"]!, "the tied copies and the index buffer are no parameters of their own");
        ((int)summary["tensors"]!).Should().Be((int)fromSafeTensors["tensors"]!);
        ((string)summary["weights_file"]!).Should().Be("pytorch_model.bin");
        ((string)summary["kind"]!).Should().Be("Encoder");
    }

    [Fact]
    public void Info_on_a_pytorch_bin_of_no_named_class_tells_the_class_by_its_tensor_names()
    {
        var hf = Export(SaveMaskedLm(BertConfig.Tiny));
        var config = JsonNode.Parse(File.ReadAllText(temp.File("hf", "config.json")))!.AsObject();
        config.Remove("architectures");
        File.WriteAllText(temp.File("hf", "config.json"), config.ToJsonString());
        TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(temp.File("hf", "pytorch_model.bin"), SafeTensorsFile.Read(temp.File("hf", "model.safetensors")));
        File.Delete(temp.File("hf", "model.safetensors"));

        var text = Cli.Run("info", "--model", hf);

        text.ExitCode.Should().Be(0, text.Error);
        text.Output.Should().Contain("architecture  none named in config.json; BertForMaskedLM by its tensor names")
            .And.Contain("kind          masked-language model" + Environment.NewLine);
    }

    [Fact]
    public void Info_on_a_checkpoint_of_another_architecture_says_tcd_cannot_read_it()
    {
        temp.Write("gpt2/config.json", """{ "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_layer": 12, "n_embd": 768 }""");
        temp.Write("gpt2/model.safetensors", "not read");

        var (exitCode, output, error) = Cli.Run("info", "--model", temp.File("gpt2"));

        exitCode.Should().Be(1);
        output.Should().BeEmpty();
        error.Should().StartWith($"tcd info: error: '{temp.File("gpt2")}' holds a Hugging Face checkpoint that tcd can neither describe nor import: ")
            .And.Contain("model_type \"gpt2\"").And.Contain("only BERT checkpoints").And.NotContain("   at ");
    }

    [Fact]
    public void Info_says_when_a_checkpoints_vocabulary_does_not_fit_it_and_import_hf_refuses_it_for_that_reason()
    {
        var hf = Export(SaveMaskedLm(BertConfig.Tiny));
        var vocabulary = temp.Write("hf/vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n");
        var problem = $"'{vocabulary}' has 5 tokens but the model in '{hf}' has {BertConfig.Tiny.VocabSize} (vocab_size): the vocabulary belongs to another model.";

        var info = Cli.Run("info", "--model", hf);
        var import = Cli.Run("import-hf", "--from", hf, "--out", temp.File("imported"));

        info.ExitCode.Should().Be(0, info.Error);
        info.Output.Should().Contain($"none that fits, so import-hf refuses the folder (tokenizer files: vocab.txt, tokenizer_config.json): {problem}");
        import.ExitCode.Should().Be(1);
        import.Error.Should().Contain(problem);
        Directory.Exists(temp.File("imported")).Should().BeFalse();
    }

    private string SaveMaskedLm(BertConfig config)
    {
        var folder = temp.File("model");
        using var model = new BertForMaskedLm(config);
        BertModelStore.Save(model, config, folder);
        return folder;
    }

    private string Export(string model)
    {
        var exported = Cli.Run("export-hf", "--model", model, "--out", temp.File("hf"));
        exported.ExitCode.Should().Be(0, exported.Error);
        return temp.File("hf");
    }
}
