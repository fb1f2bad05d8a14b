using System.Text.Json.Nodes;
using Tcd.Models.Data;
using Tcd.Models.Interop;
using Tcd.Models.Modeling;
using Tcd.Models.Tests.Modeling;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Interop;

public sealed class HuggingFaceRoundTripTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "tcd-hf-roundtrip-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Vanilla_masked_lm_round_trips_exactly_in_the_transformers_layout()
    {
        manual_seed(60);
        using var model = new BertForMaskedLm(HfCheckpoints.Config);
        var folder = Path.Combine(root, "mlm");

        HuggingFaceExporter.Save(model, folder, new HuggingFaceExportOptions { IncludeTokenizer = false });

        var written = SafeTensorsFile.ReadHeader(Path.Combine(folder, "model.safetensors")).Select(entry => entry.Name);
        written.Should().BeEquivalentTo(HfCheckpoints.MaskedLm().Select(entry => entry.Name), "the file must hold exactly what BertForMaskedLM.save_pretrained writes");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!;
        config["architectures"]![0]!.GetValue<string>().Should().Be("BertForMaskedLM");
        config["model_type"]!.GetValue<string>().Should().Be("bert");
        config["hidden_act"]!.GetValue<string>().Should().Be("gelu");
        ((JsonObject)config).Should().NotContainKey("expert_count").And.NotContainKey("adapter_size").And.NotContainKey("capacity_factor");

        var imported = HuggingFaceCheckpoint.Load(folder);
        imported.Architecture.Should().Be(HuggingFaceArchitecture.BertForMaskedLM);
        imported.Notes.Should().BeEmpty();
        using var loaded = imported.Model.Should().BeOfType<BertForMaskedLm>().Subject;
        AssertSameLogits(model, loaded, HfCheckpoints.Config);
    }

    [Fact]
    public void Safetensors_export_carries_the_metadata_transformers_requires()
    {
        using var model = new BertForMaskedLm(HfCheckpoints.Config);
        var folder = Path.Combine(root, "metadata");

        HuggingFaceExporter.Save(model, folder, new HuggingFaceExportOptions { IncludeTokenizer = false });

        var bytes = File.ReadAllBytes(Path.Combine(folder, "model.safetensors"));
        var header = JsonNode.Parse(bytes.AsSpan(8, (int)BitConverter.ToUInt64(bytes, 0)))!;
        header["__metadata__"]!["format"]!.GetValue<string>().Should().Be("pt");
    }

    [Fact]
    public void Sequence_classifier_round_trips_with_its_labels()
    {
        manual_seed(61);
        using var model = new BertForSequenceClassification(HfCheckpoints.Config, numLabels: 3);
        var folder = Path.Combine(root, "cls");
        string[] labels = ["entailment", "neutral", "contradiction"];

        HuggingFaceExporter.Save(model, folder, new HuggingFaceExportOptions { IncludeTokenizer = false, LabelNames = labels });

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!;
        config["architectures"]![0]!.GetValue<string>().Should().Be("BertForSequenceClassification");
        config["label2id"]!["neutral"]!.GetValue<int>().Should().Be(1);
        config["problem_type"]!.GetValue<string>().Should().Be("single_label_classification");
        var imported = HuggingFaceCheckpoint.Load(folder);
        imported.LabelNames.Should().Equal(labels);
        imported.ToString().Should().EndWith("; labels entailment, neutral, contradiction");
        using var loaded = imported.Model.Should().BeOfType<BertForSequenceClassification>().Subject;
        model.eval();
        loaded.eval();
        using var ids = TinyConfigs.RandomIds(HfCheckpoints.Config, 2, 6, seed: 62);
        using var _ = no_grad();
        var expected = model.forward(ids, null, null, EncoderTaps.None).Logits;
        loaded.forward(ids, null, null, EncoderTaps.None).Logits.eq(expected).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Moe_masked_lm_round_trips_in_the_stacked_expert_layout()
    {
        manual_seed(63);
        var moeConfig = HfCheckpoints.Config.WithExperts(4) with { CapacityFactor = 1.25 };
        using var model = new BertForMaskedLm(moeConfig);
        var folder = Path.Combine(root, "moe");

        HuggingFaceExporter.Save(model, folder, new HuggingFaceExportOptions { IncludeTokenizer = false });

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!;
        config["architectures"]![0]!.GetValue<string>().Should().Be("TcdMoeBertForMaskedLM");
        config["model_type"]!.GetValue<string>().Should().Be(HuggingFaceCheckpoint.MoeModelType);
        config["num_experts"]!.GetValue<int>().Should().Be(4);
        var shapes = SafeTensorsFile.ReadHeader(Path.Combine(folder, "model.safetensors")).ToDictionary(entry => entry.Name, entry => entry.Shape);
        shapes["bert.encoder.layer.1.moe.experts.intermediate_weight"].Should().Equal(4, HfCheckpoints.Inner, HfCheckpoints.Hidden);
        shapes["bert.encoder.layer.1.moe.experts.output_weight"].Should().Equal(4, HfCheckpoints.Hidden, HfCheckpoints.Inner);
        shapes["bert.encoder.layer.0.moe.router.weight"].Should().Equal(4, HfCheckpoints.Hidden);

        var imported = HuggingFaceCheckpoint.Load(folder);
        imported.Config.Should().Be(moeConfig);
        imported.Architecture.Should().Be(HuggingFaceArchitecture.BertForMaskedLM);
        imported.ArchitectureName.Should().Be("TcdMoeBertForMaskedLM");
        imported.ToString().Should().Be(FormattableString.Invariant(
            $"TcdMoeBertForMaskedLM: L={moeConfig.NumLayers}, H={HfCheckpoints.Hidden}, heads={moeConfig.NumHeads}, d_ff={HfCheckpoints.Inner}, experts=4"));
        using var loaded = imported.Model.Should().BeOfType<BertForMaskedLm>().Subject;
        AssertSameLogits(model, loaded, moeConfig);
    }

    [Fact]
    public void Bert_model_round_trips_with_its_pooler()
    {
        manual_seed(64);
        using var model = new BertModel(HfCheckpoints.Config);
        var folder = Path.Combine(root, "encoder");

        HuggingFaceExporter.Save(model, folder, new HuggingFaceExportOptions { IncludeTokenizer = false });

        using var loaded = HuggingFaceCheckpoint.LoadBertModel(folder);
        var expected = model.state_dict();
        loaded.state_dict().Should().HaveCount(expected.Count);
        foreach (var (name, tensor) in loaded.state_dict())
        {
            HfCheckpoints.Same(tensor, expected[name]).Should().BeTrue(name);
        }
    }

    [Fact]
    public void Pytorch_bin_written_by_PyBridge_imports_exactly()
    {
        var file = HfCheckpoints.PreTrainingStateDict(seed: 65);
        var folder = WritePytorchBin("bin", "BertForPreTraining", file);

        using var model = HuggingFaceCheckpoint.LoadMaskedLm(folder);

        var loaded = model.state_dict();
        foreach (var (name, _) in HfCheckpoints.MaskedLm())
        {
            HfCheckpoints.Same(loaded[name], file[name]).Should().BeTrue(name);
        }
    }

    [Fact]
    public void DescribeReadingWeights_lists_a_pytorch_bins_stored_parameters_under_the_imports_names_each_tied_one_once()
    {
        var folder = WritePytorchBin("bin-described", "BertForPreTraining", HfCheckpoints.PreTrainingStateDict(seed: 66));
        var config = HfCheckpoints.ConfigJson("BertForPreTraining");
        config.Remove("architectures");
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());

        HuggingFaceCheckpoint.Describe(folder).Tensors.Should().BeNull("Describe reads no weight, and a pytorch_model.bin has no header");
        var contents = HuggingFaceCheckpoint.DescribeReadingWeights(folder);

        var expected = HfCheckpoints.MaskedLm().Concat(HfCheckpoints.Pooler).Concat(HfCheckpoints.NextSentenceHead).ToList();
        contents.Tensors!.Select(tensor => tensor.Name).Should().BeEquivalentTo(expected.Select(entry => entry.Name),
            "the tied decoder copies and the position_ids buffer are no parameters of their own");
        contents.Tensors!.Should().OnlyContain(tensor => tensor.DType == "F32");
        contents.Tensors!.Sum(tensor => tensor.Shape.Aggregate(1L, (product, size) => product * size))
            .Should().Be(expected.Sum(entry => entry.Shape.Aggregate(1L, (product, size) => product * size)));
        contents.Architecture.Should().Be(HuggingFaceArchitecture.BertForPreTraining, "the tensor names tell the class config.json does not name");
    }

    [Fact]
    public void LoadAsMaskedLm_keeps_the_head_of_a_pytorch_bin_that_has_one_and_puts_the_encoder_of_one_without_under_a_new_head()
    {
        var file = HfCheckpoints.PreTrainingStateDict(seed: 66);
        var withHead = WritePytorchBin("bin-pretraining", "BertForPreTraining", file);
        var encoderOnly = WritePytorchBin(
            "bin-encoder", "BertModel", file.Where(pair => pair.Key.StartsWith("bert.", StringComparison.Ordinal)).ToDictionary(pair => pair.Key["bert.".Length..], pair => pair.Value));

        var own = HuggingFaceCheckpoint.LoadAsMaskedLm(withHead);
        var fresh = HuggingFaceCheckpoint.LoadAsMaskedLm(encoderOnly, seed: 3);

        own.HasNewMaskedLmHead.Should().BeFalse();
        own.Architecture.Should().Be(HuggingFaceArchitecture.BertForPreTraining);
        using var ownModel = own.Model.Should().BeOfType<BertForMaskedLm>().Subject;
        foreach (var (name, _) in HfCheckpoints.MaskedLm())
        {
            HfCheckpoints.Same(ownModel.state_dict()[name], file[name]).Should().BeTrue(name);
        }

        fresh.HasNewMaskedLmHead.Should().BeTrue();
        fresh.Architecture.Should().Be(HuggingFaceArchitecture.BertModel);
        fresh.Notes.Should().Contain(note => note.Contains("The masked-LM head (cls.predictions.*) is new"));
        using var freshModel = fresh.Model.Should().BeOfType<BertForMaskedLm>().Subject;
        foreach (var (name, parameter) in freshModel.Bert.named_parameters())
        {
            HfCheckpoints.Same(parameter, file["bert." + name]).Should().BeTrue(name);
        }

        using var sameSeed = (BertForMaskedLm)HuggingFaceCheckpoint.LoadEncoderUnderNewMaskedLmHead(encoderOnly, seed: 3).Model;
        const string headWeight = "cls.predictions.transform.dense.weight";
        HfCheckpoints.Same(freshModel.state_dict()[headWeight], sameSeed.state_dict()[headWeight]).Should().BeTrue("the new head is drawn from the seed given");
    }

    [Fact]
    public void A_pytorch_bin_that_is_not_a_torch_save_archive_gives_a_clear_error()
    {
        var folder = Path.Combine(root, "legacy-bin");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), HfCheckpoints.ConfigJson("BertForMaskedLM").ToJsonString());
        File.WriteAllBytes(Path.Combine(folder, "pytorch_model.bin"), [0x80, 0x02, 0x8a, 0x0a, 1, 2, 3, 4]);

        var act = () => HuggingFaceCheckpoint.Load(folder);

        act.Should().Throw<InvalidDataException>().WithMessage("*pytorch_model.bin*zip format of torch.save*save_pretrained*");
    }

    [Fact]
    public void Tokenizer_files_let_AutoTokenizer_find_the_vocabulary()
    {
        using var model = new BertForMaskedLm(HfCheckpoints.Config with { VocabSize = 30522 });
        var folder = Path.Combine(root, "tokenizer");

        HuggingFaceExporter.Save(model, folder);

        File.ReadLines(Path.Combine(folder, "vocab.txt")).Should().HaveCount(30522).And.Contain("[MASK]");
        var tokenizer = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer_config.json")))!;
        tokenizer["do_lower_case"]!.GetValue<bool>().Should().BeTrue();
        tokenizer["tokenizer_class"]!.GetValue<string>().Should().Be("BertTokenizer");
        File.Exists(Path.Combine(folder, "special_tokens_map.json")).Should().BeTrue();
    }

    [Fact]
    public void A_cased_tokenizer_is_exported_with_its_vocabulary_and_settings_and_read_back_alike()
    {
        var vocabularyFile = Path.Combine(Directory.CreateDirectory(root).FullName, "cased-vocab.txt");
        File.WriteAllLines(vocabularyFile, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Paris", "and", "London", "paris", "london"]);
        var cased = BertTextEncoder.FromVocabularyFile(vocabularyFile, BertTokenizerSettings.Cased);
        using var model = new BertForMaskedLm(HfCheckpoints.Config with { VocabSize = cased.VocabularySize });
        var folder = Path.Combine(root, "cased");

        HuggingFaceExporter.Save(model, folder, new HuggingFaceExportOptions { Tokenizer = cased });

        var tokenizer = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer_config.json")))!;
        tokenizer["do_lower_case"]!.GetValue<bool>().Should().BeFalse();
        tokenizer["strip_accents"]!.GetValue<bool>().Should().BeFalse();
        tokenizer["tokenize_chinese_chars"]!.GetValue<bool>().Should().BeTrue();
        File.ReadAllText(Path.Combine(folder, "vocab.txt")).Should().Be(string.Join('\n', cased.Vocabulary) + "\n");
        BertTextEncoder.ForModelFolder(folder).Encode("Paris and London").InputIds.Should().Equal(2, 5, 6, 7, 3);
    }

    [Fact]
    public void Export_refuses_a_folder_holding_other_files_than_an_earlier_export()
    {
        using var model = new BertForMaskedLm(HfCheckpoints.Config);
        var store = Path.Combine(root, "store");
        BertModelStore.Save(model, model.Config, store);

        FluentActions.Invoking(() => HuggingFaceExporter.Save(model, store, new HuggingFaceExportOptions { IncludeTokenizer = false }))
            .Should().Throw<IOException>().WithMessage($"The folder '{store}' is not empty and holds no earlier export*new or empty folder.");
        HuggingFaceCheckpoint.IsCheckpointFolder(store).Should().BeFalse("the model folder's config.json was not overwritten");
    }

    [Fact]
    public void An_export_stopped_while_it_clears_an_earlier_one_leaves_a_folder_the_next_export_writes_into()
    {
        using var model = new BertForMaskedLm(HfCheckpoints.Config);
        var folder = Path.Combine(root, "stopped");
        var options = new HuggingFaceExportOptions { IncludeTokenizer = false };
        HuggingFaceExporter.Save(model, folder, options);
        File.WriteAllText(Path.Combine(folder, "generation_config.json"), "{}");
        // A file of the earlier export that cannot be deleted stops the next one where a kill could stop it, among files it clears.
        var obstacle = Path.Combine(folder, "tf_model.h5");
        Directory.CreateDirectory(Path.Combine(obstacle, "held"));

        FluentActions.Invoking(() => HuggingFaceExporter.Save(model, folder, options)).Should().Throw<UnauthorizedAccessException>();
        Directory.Delete(obstacle, recursive: true);

        HuggingFaceExporter.CanExportInto(folder).Should().BeTrue("the folder still holds the export's config.json");
        HuggingFaceExporter.Save(model, folder, options);
        HuggingFaceCheckpoint.LoadMaskedLm(folder).Dispose();
    }

    [Fact]
    public void Export_rejects_a_vocabulary_of_the_wrong_size_and_adapters()
    {
        using var model = new BertForMaskedLm(HfCheckpoints.Config);
        FluentActions.Invoking(() => HuggingFaceExporter.Save(model, Path.Combine(root, "vocab")))
            .Should().Throw<ArgumentException>().WithMessage("*30522 tokens*VocabSize is 100*");

        model.EnableAdapters(4);
        FluentActions.Invoking(() => HuggingFaceExporter.Save(model, Path.Combine(root, "adapters"), new HuggingFaceExportOptions { IncludeTokenizer = false }))
            .Should().Throw<NotSupportedException>().WithMessage("*adapters*BertModelStore.Save*");
    }

    private static void AssertSameLogits(BertForMaskedLm expected, BertForMaskedLm actual, BertConfig config)
    {
        expected.eval();
        actual.eval();
        using var ids = TinyConfigs.RandomIds(config, 2, 8, seed: 66);
        using var mask = ones(2, 8, dtype: ScalarType.Int64);
        mask[1, TensorIndex.Slice(5)] = tensor(0L);
        using var _ = no_grad();
        var reference = expected.forward(ids, null, mask, EncoderTaps.None, null).Logits;
        actual.forward(ids, null, mask, EncoderTaps.None, null).Logits.eq(reference).all().item<bool>()
            .Should().BeTrue("an exported then imported model must reproduce the original bit for bit");
    }

    /// <summary>Writes a checkpoint folder of <paramref name="architecture"/> with its weights in <c>pytorch_model.bin</c>.</summary>
    private string WritePytorchBin(string name, string architecture, Dictionary<string, Tensor> tensors)
    {
        var folder = Path.Combine(root, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), HfCheckpoints.ConfigJson(architecture).ToJsonString());
        PyTorchPickler.PickleStateDict(Path.Combine(folder, "pytorch_model.bin"), tensors);
        return folder;
    }
}
