using Tcd.Models.Modeling;
using Tcd.Models.Tests.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Modeling;

public sealed class BertModelStoreTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "tcd-modeling-store-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Save_then_load_gives_bit_identical_outputs(bool moe)
    {
        var config = (moe ? TinyConfigs.Moe : TinyConfigs.Vanilla) with { AdapterSize = moe ? 4 : 0 };
        manual_seed(50);
        using var model = new BertForMaskedLm(config);
        model.eval();
        var folder = Path.Combine(root, "mlm");

        BertModelStore.Save(model, model.Config, folder);
        using var loaded = BertModelStore.LoadMaskedLm(folder);
        loaded.eval();

        loaded.Config.Should().Be(config);
        using var ids = TinyConfigs.RandomIds(config, 2, 6, seed: 51);
        using var _ = no_grad();
        var expected = model.forward(ids, null, null, EncoderTaps.None, null).Logits;
        var actual = loaded.forward(ids, null, null, EncoderTaps.None, null).Logits;
        actual.eq(expected).all().item<bool>().Should().BeTrue("a reloaded model must reproduce the saved one bit for bit");
    }

    [Fact]
    public void A_model_converted_to_bfloat16_is_saved_in_fp32_with_its_bfloat16_values_and_stays_bfloat16()
    {
        manual_seed(53);
        using var model = new BertForMaskedLm(TinyConfigs.Moe);
        model.to(ScalarType.BFloat16);
        var folder = Path.Combine(root, "bf16");

        BertModelStore.Save(model, model.Config, folder);
        using var loaded = BertModelStore.LoadMaskedLm(folder);

        SafeTensorsFile.ReadHeader(Path.Combine(folder, BertModelStore.WeightsFileName)).Should().OnlyContain(entry => entry.DType == "F32");
        model.parameters().Should().OnlyContain(weight => weight.dtype == ScalarType.BFloat16, "saving leaves the module as it is");
        var saved = model.state_dict();
        foreach (var (name, weight) in loaded.state_dict())
        {
            weight.eq(saved[name].to(ScalarType.Float32)).all().item<bool>().Should().BeTrue($"{name} holds the bfloat16 values");
        }
    }

    [Fact]
    public void Fingerprint_follows_the_saved_model_not_its_folder()
    {
        manual_seed(52);
        using var model = new BertForMaskedLm(TinyConfigs.Vanilla);
        BertModelStore.Save(model, model.Config, Path.Combine(root, "a"));
        BertModelStore.Save(model, model.Config, Path.Combine(root, "b"));
        var fingerprint = BertModelStore.Fingerprint(Path.Combine(root, "a"));

        fingerprint.Should().MatchRegex("^[0-9a-f]{64}$");
        BertModelStore.Fingerprint(Path.Combine(root, "b")).Should().Be(fingerprint, "the same model saved elsewhere");
        File.WriteAllText(Path.Combine(root, "b", Tcd.Models.Data.BertTokenizerSettings.FileName), """{"do_lower_case": false}""");
        BertModelStore.Fingerprint(Path.Combine(root, "b")).Should().NotBe(fingerprint, "the same weights read through another tokenizer");
        File.Delete(Path.Combine(root, "b", Tcd.Models.Data.BertTokenizerSettings.FileName));
        using (no_grad())
        using (var cell = model.Bert.Embeddings.WordEmbeddingWeight[3, 3])
        {
            cell.fill_(cell.item<float>() + 1e-3f);
        }

        BertModelStore.Save(model, model.Config, Path.Combine(root, "b"));
        BertModelStore.Fingerprint(Path.Combine(root, "b")).Should().NotBe(fingerprint, "one changed weight changes it");
        File.Delete(Path.Combine(root, "a", BertModelStore.WeightsFileName));
        var act = () => BertModelStore.Fingerprint(Path.Combine(root, "a"));
        act.Should().Throw<FileNotFoundException>().WithMessage("*has no model.safetensors*");
    }

    [Fact]
    public void Fingerprint_is_pinned_so_stored_results_keep_matching_their_model()
    {
        var folder = Path.Combine(root, "pinned");
        Directory.CreateDirectory(folder);
        File.WriteAllText(
            Path.Combine(folder, BertModelStore.ConfigFileName),
            """{"vocab_size": 100, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16, "max_position_embeddings": 16, "type_vocab_size": 2}""");
        // Only its bytes count: over the 1 MiB read buffer, so hashed in several reads.
        File.WriteAllBytes(Path.Combine(folder, BertModelStore.WeightsFileName), Enumerable.Range(0, 3_000_000).Select(i => (byte)(i * 31 % 251)).ToArray());
        File.WriteAllText(Path.Combine(folder, Tcd.Models.Data.BertTextEncoder.VocabularyFileName), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n");

        BertModelStore.Fingerprint(folder).Should().Be("33675625d0b3e48139ce784fdaf0c748a300478f49cd6cce24936186149ab9fb");
    }

    [Fact]
    public void Fingerprint_stops_when_cancelled()
    {
        manual_seed(52);
        using var model = new BertForMaskedLm(TinyConfigs.Vanilla);
        BertModelStore.Save(model, model.Config, root);

        var act = () => BertModelStore.Fingerprint(root, new CancellationToken(canceled: true));

        act.Should().Throw<OperationCanceledException>();
    }

    [Fact]
    public void Sequence_classifier_round_trips_with_its_label_count()
    {
        manual_seed(52);
        using var model = new BertForSequenceClassification(TinyConfigs.Vanilla, numLabels: 3);
        model.eval();
        var folder = Path.Combine(root, "cls");

        BertModelStore.Save(model, model.Config, folder);
        using var loaded = BertModelStore.LoadSequenceClassification(folder);
        loaded.eval();

        loaded.NumLabels.Should().Be(3);
        using var ids = TinyConfigs.RandomIds(TinyConfigs.Vanilla, 2, 4, seed: 53);
        using var _ = no_grad();
        loaded.forward(ids, null, null, EncoderTaps.None).Logits.eq(model.forward(ids, null, null, EncoderTaps.None).Logits).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Safetensors_keeps_half_precision_dtypes_and_values()
    {
        var path = Path.Combine(root, "mixed.safetensors");
        using var source = tensor(new float[] { 1.5f, -2f, 3.25f, 1e-3f });
        var tensors = new Dictionary<string, Tensor>
        {
            ["bf16"] = source.to(ScalarType.BFloat16),
            ["f16"] = source.to(ScalarType.Float16),
            ["i64"] = tensor(new long[] { 1, -2, 3 }),
            ["f32"] = source.reshape(2, 2),
        };

        SafeTensorsFile.Write(path, tensors);
        var read = SafeTensorsFile.Read(path);

        read.Keys.Should().BeEquivalentTo(tensors.Keys);
        foreach (var (name, expected) in tensors)
        {
            read[name].dtype.Should().Be(expected.dtype);
            read[name].eq(expected).all().item<bool>().Should().BeTrue(name);
        }

        var header = new FileInfo(path).Length;
        header.Should().BeGreaterThan(8);
    }

    [Fact]
    public void Safetensors_writing_leaves_no_tensor_behind()
    {
        // The fine-tuner writes its best epoch's weights and the Hugging Face exporter a state dict with no dispose
        // scope open: the host copies of each tensor must still be freed at once, not left to the finalizer.
        using var weight = arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        using var transposed = weight.t();
        var tensors = new Dictionary<string, Tensor> { ["weight"] = weight, ["transposed"] = transposed };
        var before = ThreadTensors.Live;

        SafeTensorsFile.Write(Path.Combine(root, "weights.safetensors"), tensors);

        ThreadTensors.Live.Should().Be(before);
    }

    [Fact]
    public void Missing_folder_and_missing_file_are_named()
    {
        var missingFolder = Path.Combine(root, "nowhere");
        var folder = SavedTinyModel("partial");
        File.Delete(Path.Combine(folder, BertModelStore.WeightsFileName));

        var noFolder = () => BertModelStore.LoadMaskedLm(missingFolder);
        var noWeights = () => BertModelStore.LoadMaskedLm(folder);

        noFolder.Should().Throw<DirectoryNotFoundException>().WithMessage($"*{missingFolder}*does not exist*");
        noWeights.Should().Throw<FileNotFoundException>().WithMessage("*model.safetensors*");
    }

    [Theory]
    [InlineData("\"num_attention_heads\": 2", "\"num_attention_heads\": 3", "*config.json' is not a valid BERT configuration: Invalid BertConfig.NumHeads: HiddenSize (32) must be divisible by NumHeads (3)*")]
    [InlineData("\"hidden_size\": 32,", "", "*config.json' is not a valid BERT configuration: it has no hidden_size; these set the shapes of the weights*")]
    [InlineData("\"hidden_size\": 32,", "\"hidden_size\": 32", "*config.json' is not a valid BERT configuration: line 4, column 3: '\"' is invalid after a value.*")]
    public void A_hand_edited_config_json_is_refused_naming_the_file_and_what_is_wrong(string written, string edited, string expected)
    {
        var folder = SavedTinyModel("edited");
        var config = Path.Combine(folder, BertModelStore.ConfigFileName);
        File.ReadAllText(config).Should().Contain(written);
        File.WriteAllText(config, File.ReadAllText(config).Replace(written, edited, StringComparison.Ordinal));

        var load = () => BertModelStore.LoadMaskedLm(folder);

        load.Should().Throw<InvalidDataException>().WithMessage(expected);
    }

    [Fact]
    public void A_folder_of_another_kind_of_model_or_a_run_folder_is_named_as_such()
    {
        var maskedLm = SavedTinyModel(Path.Combine("run", "model"));
        var classifierFolder = Path.Combine(root, "classifier");
        using (var classifier = new BertForSequenceClassification(TinyConfigs.Vanilla, 2))
        {
            BertModelStore.Save(classifier, classifier.Config, classifierFolder);
        }

        var classifierAsPretrained = () => BertModelStore.LoadMaskedLm(classifierFolder);
        var pretrainedAsClassifier = () => BertModelStore.LoadSequenceClassification(maskedLm);
        var runFolder = () => BertModelStore.LoadMaskedLm(Path.Combine(root, "run"));

        classifierAsPretrained.Should().Throw<InvalidDataException>()
            .WithMessage("*holds a fine-tuned sequence classifier, but a pre-trained masked-language model is needed here*model/ folder of a pre-training run*");
        pretrainedAsClassifier.Should().Throw<InvalidDataException>()
            .WithMessage("*holds a pre-trained masked-language model, but a fine-tuned sequence classifier is needed here. Fine-tune it first*");
        runFolder.Should().Throw<FileNotFoundException>().WithMessage($"*is a run folder, not a model folder: its model is in '{maskedLm}'*");
        using var loaded = BertModelStore.LoadMaskedLm(maskedLm);
        loaded.Config.Should().Be(TinyConfigs.Vanilla);
    }

    [Fact]
    public void A_bare_encoder_where_a_masked_lm_is_needed_points_to_an_encoder_only_import()
    {
        // What a plain 'tcd import-hf' of a Hugging Face BertModel writes.
        var encoderFolder = Path.Combine(root, "encoder");
        using (var encoder = new BertModel(TinyConfigs.Vanilla))
        {
            BertModelStore.Save(encoder, encoder.Config, encoderFolder);
        }

        var encoderAsPretrained = () => BertModelStore.LoadMaskedLm(encoderFolder);

        encoderAsPretrained.Should().Throw<InvalidDataException>()
            .WithMessage("*holds a bare BERT encoder (no task head), but a pre-trained masked-language model is needed here*import-hf --encoder-only*");
    }

    [Fact]
    public void Truncated_weights_file_is_reported_as_truncated()
    {
        var folder = SavedTinyModel("truncated");
        var weights = Path.Combine(folder, BertModelStore.WeightsFileName);
        using (var stream = new FileStream(weights, FileMode.Open))
        {
            stream.SetLength(stream.Length - 100);
        }

        var act = () => BertModelStore.LoadMaskedLm(folder);

        act.Should().Throw<InvalidDataException>().WithMessage("*model.safetensors*truncated*");
    }

    [Fact]
    public void Corrupt_header_is_reported()
    {
        var folder = SavedTinyModel("corrupt");
        var weights = Path.Combine(folder, BertModelStore.WeightsFileName);
        var bytes = File.ReadAllBytes(weights);
        bytes[9] = (byte)'#';
        File.WriteAllBytes(weights, bytes);

        var act = () => BertModelStore.LoadMaskedLm(folder);

        act.Should().Throw<InvalidDataException>().WithMessage("*corrupt*not valid JSON*");
    }

    [Fact]
    public void Config_mismatch_lists_missing_unexpected_and_reshaped_tensors()
    {
        var folder = SavedTinyModel("mismatch");
        var edited = TinyConfigs.Vanilla with { NumLayers = 3, IntermediateSize = 48 };
        File.WriteAllText(Path.Combine(folder, BertModelStore.ConfigFileName), edited.ToJson());

        var act = () => BertModelStore.LoadMaskedLm(folder);

        var error = act.Should().Throw<StateDictMismatchException>().Which;
        error.Missing.Should().Contain("bert.encoder.layer.2.attention.self.query.weight");
        error.Unexpected.Should().BeEmpty();
        error.ShapeMismatches.Should().Contain(line => line.StartsWith("bert.encoder.layer.0.intermediate.dense.weight: file [64, 32] vs model [48, 32]"));
        error.Message.Should().Contain("config.json").And.Contain("Missing from the file");
        error.Missing.Should().HaveCountGreaterThan(5, "a whole layer is missing");
        error.Message.Should().Contain($"… and {error.Missing.Count - 5} more", "the message names the first few and counts the rest");

        File.WriteAllText(Path.Combine(folder, BertModelStore.ConfigFileName), (TinyConfigs.Vanilla with { NumLayers = 1 }).ToJson());
        act.Should().Throw<StateDictMismatchException>().Which.Unexpected.Should().Contain("bert.encoder.layer.1.output.dense.bias");
    }

    [Fact]
    public void Bare_encoder_round_trips_with_or_without_pooler()
    {
        manual_seed(54);
        using var withPooler = new BertModel(TinyConfigs.Moe);
        using var withoutPooler = new BertModel(TinyConfigs.Moe, addPoolingLayer: false);
        BertModelStore.Save(withPooler, withPooler.Config, Path.Combine(root, "pooled"));
        BertModelStore.Save(withoutPooler, withoutPooler.Config, Path.Combine(root, "plain"));

        using var pooled = BertModelStore.LoadBertModel(Path.Combine(root, "pooled"));
        using var plain = BertModelStore.LoadBertModel(Path.Combine(root, "plain"));

        pooled.Pooler.Should().NotBeNull();
        plain.Pooler.Should().BeNull();
        pooled.state_dict()["pooler.dense.weight"].eq(withPooler.state_dict()["pooler.dense.weight"]).all().item<bool>().Should().BeTrue();
    }

    /// <summary>Saves a tiny vanilla masked-LM model into a new folder under the test root and returns the folder.</summary>
    private string SavedTinyModel(string name)
    {
        var folder = Path.Combine(root, name);
        using var model = new BertForMaskedLm(TinyConfigs.Vanilla);
        BertModelStore.Save(model, model.Config, folder);
        return folder;
    }
}
