import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfiguration } from '#infrastructure/config/index.js';
import { ProjectorModule } from './projector.module.js';

const configFile = process.argv[2] ?? 'projects.ini';
const { config } = await loadConfiguration({ configFile });
const app = await NestFactory.createApplicationContext(ProjectorModule.forRoot(config));
app.enableShutdownHooks();
