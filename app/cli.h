/* cli.h: the subcommands of stepwise-cli, one file each. */
#pragma once

/* each returns the process exit status; argv[0] is the subcommand name */
int sw_cli_bench (int argc, char **argv);
int sw_cli_info (int argc, char **argv);
int sw_cli_inspect (int argc, char **argv);
int sw_cli_train (int argc, char **argv);
int sw_cli_export (int argc, char **argv);
int sw_cli_sample (int argc, char **argv);
int sw_cli_denoise (int argc, char **argv);
int sw_cli_eval (int argc, char **argv);
int sw_cli_eval_prompts (int argc, char **argv);
int sw_cli_eval_sr (int argc, char **argv);
int sw_cli_train_classifier (int argc, char **argv);
int sw_cli_import_digits (int argc, char **argv);
int sw_cli_datasets (int argc, char **argv);
int sw_cli_emoji_dataset (int argc, char **argv);
int sw_cli_generate (int argc, char **argv);
int sw_cli_anagram (int argc, char **argv);
int sw_cli_hybrid (int argc, char **argv);
int sw_cli_sdedit (int argc, char **argv);
int sw_cli_img2img (int argc, char **argv);
int sw_cli_inpaint (int argc, char **argv);
int sw_cli_noise (int argc, char **argv);
int sw_cli_onestep (int argc, char **argv);
int sw_cli_blur (int argc, char **argv);
int sw_cli_trajectory (int argc, char **argv);
int sw_cli_figures (int argc, char **argv);
