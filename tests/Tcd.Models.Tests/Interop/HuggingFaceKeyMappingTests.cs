using System.Text.Json.Nodes;
using Tcd.Models.Interop;
using Tcd.Models.Modeling;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Interop;

public sealed class HuggingFaceKeyMappingTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "tcd-hf-keys-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void The_explicit_name_list_is_complete_for_a_two_layer_model()
    {
        HfCheckpoints.Layer(0).Should().HaveCount(16);
        var names = HfCheckpoints.MaskedLm().Select(entry => entry.Name).ToList();
        names.Should().OnlyHaveUniqueItems().And.HaveCount(5 + 2 * 16 + 5);
        using var model = new BertForMaskedLm(HfCheckpoints.Config);
        model.state_dict().Keys.Should().BeEquivalentTo(names, "our masked-LM state dict uses exactly the Hugging Face names");
    }

    [Fact]
    public void Every_BertForPreTraining_tensor_lands_in_the_parameter_of_the_same_name()
    {
        var file = HfCheckpoints.PreTrainingStateDict(seed: 1);
        var folder = HfCheckpoints.Write(Path.Combine(root, "pretraining"), HfCheckpoints.ConfigJson("BertForPreTraining"), file);

        var imported = HuggingFaceCheckpoint.Load(folder);

        imported.Architecture.Should().Be(HuggingFaceArchitecture.BertForPreTraining);
        imported.Config.Should().Be(HfCheckpoints.Config);
        using var model = imported.Model.Should().BeOfType<BertForMaskedLm>().Subject;
        var loaded = model.state_dict();
        foreach (var (name, _) in HfCheckpoints.MaskedLm())
        {
            HfCheckpoints.Same(loaded[name], file[name]).Should().BeTrue($"{name} must be copied unchanged");
        }

        var notes = string.Join("\n", imported.Notes);
        notes.Should().Contain("bert.embeddings.position_ids").And.Contain("bert.pooler.dense.weight").And.Contain("cls.seq_relationship.weight");
        imported.LabelNames.Should().BeNull();
    }

    [Fact]
    public void The_encoder_of_a_pretraining_checkpoint_loads_as_BertModel_with_its_pooler()
    {
        var file = HfCheckpoints.PreTrainingStateDict(seed: 2);
        var folder = HfCheckpoints.Write(Path.Combine(root, "encoder"), HfCheckpoints.ConfigJson("BertForPreTraining"), file);

        using var model = HuggingFaceCheckpoint.LoadBertModel(folder);

        HuggingFaceCheckpoint.HasMaskedLmHead(folder).Should().BeTrue();
        model.Pooler.Should().NotBeNull();
        var loaded = model.state_dict();
        loaded.Should().HaveCount(5 + 2 * 16 + 2);
        foreach (var (name, _) in HfCheckpoints.Embeddings.Concat(HfCheckpoints.Layer(1)).Concat(HfCheckpoints.Pooler))
        {
            HfCheckpoints.Same(loaded[name["bert.".Length..]], file[name]).Should().BeTrue(name);
        }
    }

    [Fact]
    public void A_BertModel_layout_without_prefix_is_recognised()
    {
        var file = HfCheckpoints.PreTrainingStateDict(seed: 3)
            .Where(pair => pair.Key.StartsWith("bert.", StringComparison.Ordinal))
            .ToDictionary(pair => pair.Key["bert.".Length..], pair => pair.Value);
        var config = HfCheckpoints.ConfigJson("BertModel");
        config.Remove("architectures");
        var folder = HfCheckpoints.Write(Path.Combine(root, "bare"), config, file);

        var imported = HuggingFaceCheckpoint.Load(folder);

        imported.Architecture.Should().Be(HuggingFaceArchitecture.BertModel);
        using var model = imported.Model.Should().BeOfType<BertModel>().Subject;
        HfCheckpoints.Same(model.Pooler!.state_dict()["dense.weight"], file["pooler.dense.weight"]).Should().BeTrue();
        FluentActions.Invoking(() => HuggingFaceCheckpoint.LoadMaskedLm(folder))
            .Should().Throw<InvalidDataException>().WithMessage("*no masked-LM head (cls.predictions.*)*LoadBertModel*");
    }

    [Fact]
    public void TensorFlow_style_LayerNorm_gamma_and_beta_import_as_weight_and_bias()
    {
        var file = HfCheckpoints.PreTrainingStateDict(seed: 4);
        var legacy = file.ToDictionary(
            pair => pair.Key.Replace("LayerNorm.weight", "LayerNorm.gamma", StringComparison.Ordinal).Replace("LayerNorm.bias", "LayerNorm.beta", StringComparison.Ordinal),
            pair => pair.Value);
        legacy.Keys.Should().Contain("bert.encoder.layer.1.output.LayerNorm.gamma").And.Contain("cls.predictions.transform.LayerNorm.beta");
        var folder = HfCheckpoints.Write(Path.Combine(root, "tf"), HfCheckpoints.ConfigJson("BertForPreTraining"), legacy);

        using var model = HuggingFaceCheckpoint.LoadMaskedLm(folder);

        var loaded = model.state_dict();
        HfCheckpoints.Same(loaded["bert.encoder.layer.1.output.LayerNorm.weight"], file["bert.encoder.layer.1.output.LayerNorm.weight"]).Should().BeTrue();
        HfCheckpoints.Same(loaded["cls.predictions.transform.LayerNorm.bias"], file["cls.predictions.transform.LayerNorm.bias"]).Should().BeTrue();
    }

    [Fact]
    public void Missing_unknown_and_misshaped_tensors_are_reported_together()
    {
        var file = HfCheckpoints.PreTrainingStateDict(seed: 5);
        file.Remove("bert.encoder.layer.1.output.dense.bias");
        file["bert.encoder.layer.0.attention.self.rotary.weight"] = zeros(4);
        file["bert.encoder.layer.0.intermediate.dense.weight"] = zeros(HfCheckpoints.Inner - 1, HfCheckpoints.Hidden);
        var folder = HfCheckpoints.Write(Path.Combine(root, "broken"), HfCheckpoints.ConfigJson("BertForMaskedLM"), file);

        var act = () => HuggingFaceCheckpoint.Load(folder);

        var error = act.Should().Throw<StateDictMismatchException>().Which;
        error.Missing.Should().Equal("bert.encoder.layer.1.output.dense.bias");
        error.Unexpected.Should().Equal("bert.encoder.layer.0.attention.self.rotary.weight");
        error.ShapeMismatches.Should().ContainSingle().Which.Should().Be("bert.encoder.layer.0.intermediate.dense.weight: file [63, 32] vs model [64, 32]");
        error.Message.Should().Contain(Path.Combine(folder, "model.safetensors"));
    }

    [Fact]
    public void An_untied_decoder_is_rejected()
    {
        var file = HfCheckpoints.PreTrainingStateDict(seed: 6);
        file["cls.predictions.decoder.weight"] = file["cls.predictions.decoder.weight"] + 1;
        var folder = HfCheckpoints.Write(Path.Combine(root, "untied"), HfCheckpoints.ConfigJson("BertForMaskedLM"), file);

        var act = () => HuggingFaceCheckpoint.LoadMaskedLm(folder);

        act.Should().Throw<InvalidDataException>().WithMessage("*cls.predictions.decoder.weight*bert.embeddings.word_embeddings.weight*tied*");
    }

    [Fact]
    public void A_decoder_bias_alone_becomes_the_output_bias()
    {
        var file = HfCheckpoints.PreTrainingStateDict(seed: 7);
        file.Remove("cls.predictions.bias", out var bias);
        var folder = HfCheckpoints.Write(Path.Combine(root, "decoder-bias"), HfCheckpoints.ConfigJson("BertForMaskedLM"), file);

        using var model = HuggingFaceCheckpoint.LoadMaskedLm(folder);

        HfCheckpoints.Same(model.Head.Predictions.Bias, bias!).Should().BeTrue();
    }

    [Theory]
    [InlineData("model_type", "roberta", "*model_type \"roberta\"*only BERT*")]
    [InlineData("hidden_act", "relu", "*\"hidden_act\": \"relu\"*exact (erf) GELU*")]
    [InlineData("position_embedding_type", "relative_key", "*relative_key*absolute*")]
    [InlineData("is_decoder", true, "*\"is_decoder\": true*causal mask*cannot be imported*")]
    public void Configurations_this_library_cannot_compute_are_rejected(string field, object value, string message)
    {
        var config = HfCheckpoints.ConfigJson("BertForMaskedLM");
        config[field] = value is bool flag ? JsonValue.Create(flag) : JsonValue.Create((string)value);
        var folder = HfCheckpoints.Write(Path.Combine(root, field), config, HfCheckpoints.PreTrainingStateDict(seed: 8));

        var act = () => HuggingFaceCheckpoint.Load(folder);

        act.Should().Throw<InvalidDataException>().WithMessage(message).WithMessage("*config.json*");
    }

    [Fact]
    public void A_damaged_config_json_is_named_with_what_is_wrong()
    {
        var folder = HfCheckpoints.Write(Path.Combine(root, "damaged"), HfCheckpoints.ConfigJson("BertForMaskedLM"), HfCheckpoints.PreTrainingStateDict(seed: 8));
        var config = Path.Combine(folder, "config.json");
        File.WriteAllText(config, "{\"model_type\": \"bert\", ");

        FluentActions.Invoking(() => HuggingFaceCheckpoint.Load(folder))
            .Should().Throw<InvalidDataException>().WithMessage($"'{config}' is not valid JSON: *");
        File.Delete(config);
        FluentActions.Invoking(() => HuggingFaceCheckpoint.Load(folder))
            .Should().Throw<FileNotFoundException>().WithMessage($"The checkpoint folder has no config.json ('{config}'); *");
        FluentActions.Invoking(() => HuggingFaceCheckpoint.Load(Path.Combine(root, "absent")))
            .Should().Throw<DirectoryNotFoundException>().WithMessage($"The checkpoint folder '{Path.Combine(root, "absent")}' does not exist.");
    }

    [Theory]
    [InlineData("{\"zero\": \"negative\"}", "*has an id2label entry \"zero\" that is not \"<integer id>\": \"<label name>\".")]
    [InlineData("{\"0\": 5}", "*has an id2label entry \"0\" that is not *")]
    [InlineData("{\"0\": \"negative\", \"2\": \"positive\"}", "*has id2label ids 0, 2; they must be 0, 1, ... without gaps.")]
    public void Id2label_entries_that_name_no_class_by_id_are_rejected(string id2label, string message)
    {
        var config = HfCheckpoints.ConfigJson("BertForMaskedLM");
        config["id2label"] = JsonNode.Parse(id2label);
        var folder = HfCheckpoints.Write(Path.Combine(root, "labels"), config, HfCheckpoints.PreTrainingStateDict(seed: 8));

        FluentActions.Invoking(() => HuggingFaceCheckpoint.Load(folder))
            .Should().Throw<InvalidDataException>().WithMessage(message).WithMessage($"'{Path.Combine(folder, "config.json")}'*");
    }

    [Fact]
    public void A_moe_export_config_without_its_expert_count_is_rejected()
    {
        var config = HfCheckpoints.ConfigJson("BertForMaskedLM");
        config["model_type"] = HuggingFaceCheckpoint.MoeModelType;
        var folder = HfCheckpoints.Write(Path.Combine(root, "moe"), config, HfCheckpoints.PreTrainingStateDict(seed: 8));

        FluentActions.Invoking(() => HuggingFaceCheckpoint.Load(folder))
            .Should().Throw<InvalidDataException>()
            .WithMessage($"*has model_type \"{HuggingFaceCheckpoint.MoeModelType}\" but no positive \"num_experts\"; add the number of experts per layer.");
    }

    [Fact]
    public void A_config_value_of_the_wrong_type_is_named_by_its_key_without_the_position_of_rewritten_json()
    {
        var config = HfCheckpoints.ConfigJson("BertForMaskedLM");
        config["hidden_size"] = JsonValue.Create("32");
        var folder = HfCheckpoints.Write(Path.Combine(root, "string-size"), config, HfCheckpoints.PreTrainingStateDict(seed: 8));

        var act = () => HuggingFaceCheckpoint.Load(folder);

        act.Should().Throw<InvalidDataException>()
            .WithMessage("*config.json' is not a valid BERT configuration: $.hidden_size: The JSON value could not be converted to *")
            .Which.Message.Should().NotContain("LineNumber");
    }

    [Fact]
    public void An_older_config_without_model_type_is_recognised_as_a_checkpoint_and_imports()
    {
        var config = HfCheckpoints.ConfigJson("BertForMaskedLM");
        config.Remove("model_type");
        config.Remove("architectures");
        var folder = HfCheckpoints.Write(Path.Combine(root, "google-converted"), config, HfCheckpoints.PreTrainingStateDict(seed: 12));
        var store = Path.Combine(root, "store");
        using (var stored = new BertForMaskedLm(HfCheckpoints.Config))
        {
            BertModelStore.Save(stored, stored.Config, store);
        }

        HuggingFaceCheckpoint.IsCheckpointFolder(folder).Should().BeTrue("hidden_act is a key only Hugging Face writes");
        HuggingFaceCheckpoint.IsCheckpointFolder(store).Should().BeFalse();
        FluentActions.Invoking(() => BertModelStore.LoadConfig(folder))
            .Should().Throw<InvalidDataException>().WithMessage($"'{folder}' holds a Hugging Face checkpoint*Import it first: tcd import-hf --from {folder}*");
        var imported = HuggingFaceCheckpoint.Load(folder);
        using var model = imported.Model;
        imported.Architecture.Should().Be(HuggingFaceArchitecture.BertForPreTraining, "the class is inferred from the tensor names");
    }

    [Fact]
    public void Gelu_python_is_the_exact_gelu_and_loads_as_gelu_does()
    {
        var file = HfCheckpoints.PreTrainingStateDict(seed: 8);
        var config = HfCheckpoints.ConfigJson("BertForMaskedLM");
        config["hidden_act"] = "gelu_python";
        var folder = HfCheckpoints.Write(Path.Combine(root, "gelu-python"), config, file);

        using var model = HuggingFaceCheckpoint.LoadMaskedLm(folder);

        HfCheckpoints.Same(model.Head.Predictions.Bias, file["cls.predictions.bias"]).Should().BeTrue();
    }

    [Fact]
    public void A_multi_label_classifier_is_rejected_but_its_encoder_still_loads()
    {
        var file = EncoderStateDict(seed: 11);
        file["classifier.weight"] = randn(3, HfCheckpoints.Hidden);
        file["classifier.bias"] = randn(3);
        var config = HfCheckpoints.ConfigJson("BertForSequenceClassification");
        config["problem_type"] = "multi_label_classification";
        var folder = HfCheckpoints.Write(Path.Combine(root, "multi-label"), config, file);

        FluentActions.Invoking(() => HuggingFaceCheckpoint.Load(folder))
            .Should().Throw<InvalidDataException>().WithMessage("*\"problem_type\": \"multi_label_classification\"*sigmoid*softmax*LoadBertModel*");
        using var encoder = HuggingFaceCheckpoint.LoadBertModel(folder);
        encoder.Pooler.Should().NotBeNull();
    }

    [Fact]
    public void An_unsupported_head_is_rejected_by_Load_but_its_encoder_still_loads()
    {
        var (folder, _) = WriteQuestionAnsweringCheckpoint("qa", seed: 9);

        FluentActions.Invoking(() => HuggingFaceCheckpoint.Load(folder))
            .Should().Throw<InvalidDataException>().WithMessage("*\"BertForQuestionAnswering\"*LoadBertModel*");
        using var encoder = HuggingFaceCheckpoint.LoadBertModel(folder);
        encoder.Pooler.Should().NotBeNull();
    }

    [Fact]
    public void The_encoder_of_an_unsupported_head_loads_under_a_new_masked_lm_head_drawn_from_the_seed()
    {
        var (folder, file) = WriteQuestionAnsweringCheckpoint("qa-encoder", seed: 12);

        manual_seed(5);
        var imported = HuggingFaceCheckpoint.LoadEncoderUnderNewMaskedLmHead(folder, seed: 1);
        var drawnAfter = rand(3);
        manual_seed(5);
        HfCheckpoints.Same(rand(3), drawnAfter).Should().BeTrue("the caller's random stream goes on as if the import had drawn nothing");
        using var model = imported.Model.Should().BeOfType<BertForMaskedLm>().Subject;
        using var same = (BertForMaskedLm)HuggingFaceCheckpoint.LoadEncoderUnderNewMaskedLmHead(folder, seed: 1).Model;
        using var other = (BertForMaskedLm)HuggingFaceCheckpoint.LoadEncoderUnderNewMaskedLmHead(folder, seed: 2).Model;
        HuggingFaceCheckpoint.HasMaskedLmHead(folder).Should().BeFalse();

        foreach (var (name, parameter) in model.Bert.named_parameters())
        {
            HfCheckpoints.Same(parameter, file["bert." + name]).Should().BeTrue(name);
        }

        static Tensor HeadWeight(BertForMaskedLm model) => model.state_dict()["cls.predictions.transform.dense.weight"];
        HfCheckpoints.Same(HeadWeight(model), HeadWeight(same)).Should().BeTrue("the same seed draws the same head");
        HfCheckpoints.Same(HeadWeight(model), HeadWeight(other)).Should().BeFalse("another seed draws another head");
        imported.Notes.Should().Contain(note => note.Contains("qa_outputs.bias, qa_outputs.weight") && note.Contains("replaced by a new masked-LM head"))
            .And.Contain(note => note.StartsWith("Ignored pooler.dense.bias, pooler.dense.weight: the pooler is not part of a masked-LM model"))
            .And.Contain(note => note.Contains("The masked-LM head (cls.predictions.*) is new"));
    }

    [Fact]
    public void Classifier_label_count_comes_from_the_weights_and_names_from_id2label()
    {
        var file = EncoderStateDict(seed: 10);
        file["classifier.weight"] = randn(3, HfCheckpoints.Hidden);
        file["classifier.bias"] = randn(3);
        var config = HfCheckpoints.ConfigJson("BertForSequenceClassification");
        config["id2label"] = new JsonObject { ["0"] = "entailment", ["1"] = "neutral", ["2"] = "contradiction" };
        var folder = HfCheckpoints.Write(Path.Combine(root, "mnli"), config, file);

        var imported = HuggingFaceCheckpoint.Load(folder);

        using var model = imported.Model.Should().BeOfType<BertForSequenceClassification>().Subject;
        model.NumLabels.Should().Be(3);
        imported.LabelNames.Should().Equal("entailment", "neutral", "contradiction");
        HfCheckpoints.Same(model.state_dict()["classifier.weight"], file["classifier.weight"]).Should().BeTrue();

        config["id2label"] = new JsonObject { ["0"] = "negative", ["1"] = "positive" };
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());
        FluentActions.Invoking(() => HuggingFaceCheckpoint.LoadSequenceClassification(folder))
            .Should().Throw<InvalidDataException>().WithMessage("*2 labels in id2label*classifier.weight has 3 rows*");
    }

    [Fact]
    public void A_folder_without_weights_names_both_file_names()
    {
        var folder = Path.Combine(root, "empty");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), HfCheckpoints.ConfigJson("BertForMaskedLM").ToJsonString());

        var act = () => HuggingFaceCheckpoint.Load(folder);

        act.Should().Throw<FileNotFoundException>().WithMessage("*model.safetensors*pytorch_model.bin*");
    }

    /// <summary>A random <c>BertForQuestionAnswering</c> checkpoint, a head this library does not compute, and its tensors.</summary>
    private (string Folder, Dictionary<string, Tensor> File) WriteQuestionAnsweringCheckpoint(string name, long seed)
    {
        var file = EncoderStateDict(seed);
        file["qa_outputs.weight"] = zeros(2, HfCheckpoints.Hidden);
        file["qa_outputs.bias"] = zeros(2);
        return (HfCheckpoints.Write(Path.Combine(root, name), HfCheckpoints.ConfigJson("BertForQuestionAnswering"), file), file);
    }

    /// <summary>The encoder's tensors of a random BertForPreTraining checkpoint, to put a head of one's choice on.</summary>
    private static Dictionary<string, Tensor> EncoderStateDict(long seed) =>
        HfCheckpoints.PreTrainingStateDict(seed).Where(pair => pair.Key.StartsWith("bert.", StringComparison.Ordinal)).ToDictionary(pair => pair.Key, pair => pair.Value);
}
